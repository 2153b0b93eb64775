// Network and handshake failures against real loopback peers: refused, silent, closing
// mid-handshake, demanding a client certificate; the HTTP checks; cancellation; and series
// of targets that are no longer probed disappearing.
#include <chrono>
#include <fstream>
#include <future>

#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

using probe::ProbeResult;
using std::chrono::steady_clock;

TEST(ProbeFailuresTest, RefusedPort) {
  const std::uint16_t port = ClosedPort();
  const ProbeResult r = ProbeOnce(port, "localhost", SharedPki().root.pem);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "connect_refused");
  EXPECT_EQ(r.failure_phase, "connect");
  EXPECT_NE(r.failure_detail.find("Connection refused"), std::string::npos) << r.failure_detail;
  EXPECT_TRUE(r.chain.empty());
  EXPECT_FALSE(r.phases.handshake.has_value());
}

TEST(ProbeFailuresTest, SilentPeerTimesOutInTheHandshake) {
  RawServer silent(RawServer::Mode::kSilent);
  const std::string ca_file = SharedPki().root.pem;  // Built before the clock starts.
  const auto start = steady_clock::now();
  const ProbeResult r =
      ProbeOnce(silent.port(), "localhost", ca_file,
                [](config::EndpointConfig& e) { e.timeout = std::chrono::milliseconds(700); });
  const double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "tls_timeout");
  EXPECT_EQ(r.failure_phase, "handshake");
  ASSERT_TRUE(r.phases.handshake.has_value());
  const double phases = *r.phases.handshake + *r.phases.connect + *r.phases.resolve;
  EXPECT_GE(phases, 0.6);
  // One deadline for the whole probe: the phases stop at 0.7 s (slack for a loaded machine).
  EXPECT_LT(phases, 1.7);
  EXPECT_LT(elapsed, 10.0);  // Without a deadline the silent peer would hold the probe forever.
}

TEST(ProbeFailuresTest, PeerClosingMidHandshake) {
  RawServer closer(RawServer::Mode::kCloseAfterHello);
  const ProbeResult r = ProbeOnce(closer.port(), "localhost", SharedPki().root.pem);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "tls_eof") << r.failure_detail;
  EXPECT_EQ(r.failure_phase, "handshake");
  EXPECT_FALSE(r.failure_detail.empty());
}

TEST(ProbeFailuresTest, ClientCertificateRequiredStillYieldsTheChain) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain, "-tls1_2", "-Verify", "1",
                            "-CAfile", t.root.pem, "-verify_return_error"});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "tls_alert") << r.failure_detail;
  EXPECT_NE(r.failure_detail.find("alert"), std::string::npos) << r.failure_detail;
  ASSERT_EQ(r.chain.size(), 2U);
  EXPECT_EQ(static_cast<std::int64_t>(r.chain[0].not_after), t.leaf.not_after);
  EXPECT_EQ(r.verify_result, "ok");  // The server chain itself is fine.
  // With the client certificate the same server accepts the probe.
  const ProbeResult with_cert =
      ProbeOnce(server.port(), "localhost", t.root.pem, [&](config::EndpointConfig& e) {
        e.cert_file = t.client_bundle;
        e.key_file = t.client.key;
      });
  EXPECT_TRUE(with_cert.success) << with_cert.failure_detail;
}

TEST(ProbeFailuresTest, Tls13ServerRejectingMissingClientCertificate) {
  // TLS 1.3: our side of the handshake completes before the server judges us; its
  // "certificate required" alert must still turn the probe into a tls_alert failure.
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain, "-tls1_3", "-Verify", "1",
                            "-CAfile", t.root.pem, "-verify_return_error"});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "tls_alert") << r.failure_detail;
  EXPECT_NE(r.failure_detail.find("certificate required"), std::string::npos) << r.failure_detail;
  ASSERT_EQ(r.chain.size(), 2U);
  EXPECT_EQ(static_cast<std::int64_t>(r.chain[0].not_after), t.leaf.not_after);
}

TEST(ProbeFailuresTest, HttpCheckReadsStatusAndCompanionRedirect) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  RawServer redirect(RawServer::Mode::kHttpRedirect);
  const ProbeResult r =
      ProbeOnce(server.port(), "localhost", t.root.pem, [&](config::EndpointConfig& e) {
        e.http = true;
        e.plain_http_companion = redirect.port();
      });
  EXPECT_TRUE(r.success) << r.failure_detail;
  ASSERT_TRUE(r.http_status.has_value());
  EXPECT_EQ(*r.http_status, 200);
  EXPECT_EQ(r.hsts, false);  // s_server -www sends no Strict-Transport-Security.
  ASSERT_TRUE(r.phases.http.has_value());
  EXPECT_GT(*r.phases.http, 0.0);
  EXPECT_EQ(r.companion_address, "127.0.0.1:" + std::to_string(redirect.port()));
  EXPECT_EQ(r.companion_redirects_to_https, std::optional<bool>(true));
}

TEST(ProbeFailuresTest, HttpCheckReadsHstsMaxAge) {
  const TestPki& t = SharedPki();
  TempDir www;
  // s_server -HTTP sends a file as the complete HTTP response, headers included.
  std::ofstream(www.path() + "/hsts.txt")
      << "HTTP/1.0 200 OK\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains"
      << "\r\nContent-Type: text/plain\r\n\r\nok\n";
  std::ofstream(www.path() + "/missing.txt") << "HTTP/1.0 404 Not Found\r\n\r\n";
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain, "-HTTP"}, "127.0.0.1:0",
                   www.path());
  const ProbeResult r =
      ProbeOnce(server.port(), "localhost", t.root.pem, [](config::EndpointConfig& e) {
        e.http = true;
        e.http_path = "/hsts.txt";
      });
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_EQ(r.http_status, std::optional<int>(200));
  EXPECT_EQ(r.hsts, std::optional<bool>(true));
  EXPECT_EQ(r.hsts_max_age, std::optional<double>(31536000));
  const ProbeResult missing =
      ProbeOnce(server.port(), "localhost", t.root.pem, [](config::EndpointConfig& e) {
        e.http = true;
        e.http_path = "/missing.txt";
      });
  EXPECT_FALSE(missing.success);
  EXPECT_EQ(missing.failure_reason, "http_status");
  EXPECT_EQ(missing.http_status, std::optional<int>(404));
  EXPECT_TRUE(missing.verified);  // The TLS side was fine; only the HTTP check failed.
}

TEST(ProbeFailuresTest, HttpCheckVerifiesTheCertificateItself) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.other_root.pem,
                                  [](config::EndpointConfig& e) { e.http = true; });
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.failure_reason, "verify");
  EXPECT_FALSE(r.http_status.has_value());  // libcurl refused the untrusted chain too.
}

TEST(ProbeFailuresTest, CancelReturnsPromptly) {
  RawServer silent(RawServer::Mode::kSilent);
  config::Config config = OneEndpoint(silent.port(), "localhost", SharedPki().root.pem);
  config.agent.probe_timeout = std::chrono::seconds(30);
  probe::OpenSslProber runner;
  const auto start = steady_clock::now();
  auto cycle = std::async(std::launch::async, [&] {
    return runner.RunCycle(probe::ConfiguredTargets(config.endpoints),
                           probe::ProbeSettingsFrom(config));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  runner.Cancel();
  const probe::ProbeReport report = cycle.get();
  EXPECT_LT(std::chrono::duration<double>(steady_clock::now() - start).count(), 1.5);
  ASSERT_EQ(report.results.size(), 1U);
  EXPECT_EQ(report.results[0].failure_reason, "cancelled");
}

TEST(ProbeFailuresTest, SeriesOfTargetsNoLongerProbedDisappear) {
  const TestPki& t = SharedPki();
  TlsServer first(t.leaf, {"-cert_chain", t.intermediate_chain});
  TlsServer second(t.leaf_rsa, {"-cert_chain", t.intermediate_chain});
  config::Config both = OneEndpoint(first.port(), "localhost", t.root.pem);
  both.endpoints.push_back(OneEndpoint(second.port(), "localhost", t.root.pem).endpoints[0]);
  probe::OpenSslProber runner;
  runner.RunCycle(probe::ConfiguredTargets(both.endpoints), probe::ProbeSettingsFrom(both));
  const auto report =
      runner.RunCycle(probe::ConfiguredTargets(both.endpoints), probe::ProbeSettingsFrom(both));
  const std::string second_target = "127.0.0.1:" + std::to_string(second.port());
  std::string text = TlsMetricsText(report);
  EXPECT_NE(
      text.find(SeriesPrefix("portwarden_tls_probes_total", second.port(), "localhost") + "} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("portwarden_tls_handshake_seconds_count{target=\"" + second_target +
                      "\",server_name=\"localhost\",source=\"config\"} 2\n"),
            std::string::npos);
  config::Config one = OneEndpoint(first.port(), "localhost", t.root.pem);
  text = TlsMetricsText(
      runner.RunCycle(probe::ConfiguredTargets(one.endpoints), probe::ProbeSettingsFrom(one)));
  EXPECT_EQ(text.find(second_target), std::string::npos) << text;
  EXPECT_NE(
      text.find(SeriesPrefix("portwarden_tls_probes_total", first.port(), "localhost") + "} 3\n"),
      std::string::npos);
}

}  // namespace
}  // namespace portwarden::testing
