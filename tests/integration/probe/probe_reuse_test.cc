// What the runner keeps between cycles must never show through in a result: a server that
// swaps its certificate and a CA file that is renewed are seen at the very next cycle. And one
// cycle over many endpoints on the event loop: healthy, silent, refusing, closing and
// HTTP-checked endpoints side by side, each with its own verdict and deadline.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>

#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

using probe::ProbeResult;
using std::chrono::steady_clock;

ProbeResult OnlyResult(const probe::ProbeReport& report) {
  EXPECT_EQ(report.results.size(), 1U);
  return report.results.empty() ? ProbeResult{} : report.results.front();
}

std::string Fingerprint(const Cert& cert) {
  std::string text = Shell("openssl x509 -noout -fingerprint -sha256 -in " + cert.pem);
  std::string hex;
  for (char c : text.substr(text.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(c));
    }
  }
  return hex;
}

TEST(ProbeReuseTest, ServerSwappingItsCertificateIsSeenAtTheNextCycle) {
  const TestPki& t = SharedPki();
  probe::OpenSslProber runner;
  std::optional<TlsServer> server(std::in_place, t.leaf,
                                  std::vector<std::string>{"-cert_chain", t.intermediate_chain});
  const std::uint16_t port = server->port();
  const config::Config config = OneEndpoint(port, "localhost", t.root.pem);
  const ProbeResult before = OnlyResult(runner.RunCycle(probe::ConfiguredTargets(config.endpoints),
                                                        probe::ProbeSettingsFrom(config)));
  ASSERT_TRUE(before.success) << before.failure_detail;
  EXPECT_EQ(before.chain[0].fingerprint_sha256, Fingerprint(t.leaf));

  server.reset();  // Same port, other certificate: an expired RSA leaf.
  server.emplace(t.leaf_expired, std::vector<std::string>{"-cert_chain", t.intermediate_chain},
                 "127.0.0.1:" + std::to_string(port));
  const ProbeResult after = OnlyResult(runner.RunCycle(probe::ConfiguredTargets(config.endpoints),
                                                       probe::ProbeSettingsFrom(config)));
  EXPECT_FALSE(after.success);
  EXPECT_EQ(after.verify_result, "expired");
  ASSERT_EQ(after.chain.size(), 2U);
  EXPECT_EQ(after.chain[0].fingerprint_sha256, Fingerprint(t.leaf_expired));
  EXPECT_EQ(static_cast<std::int64_t>(after.chain[0].not_after), t.leaf_expired.not_after);

  server.reset();  // And back: the verdict follows the certificate, not the history.
  server.emplace(t.leaf, std::vector<std::string>{"-cert_chain", t.intermediate_chain},
                 "127.0.0.1:" + std::to_string(port));
  const ProbeResult again = OnlyResult(runner.RunCycle(probe::ConfiguredTargets(config.endpoints),
                                                       probe::ProbeSettingsFrom(config)));
  EXPECT_TRUE(again.success) << again.failure_detail;
  EXPECT_EQ(again.chain[0].fingerprint_sha256, Fingerprint(t.leaf));
}

TEST(ProbeReuseTest, RenewedCaFileIsReadAtTheNextCycle) {
  const TestPki& t = SharedPki();
  TempDir dir;
  const std::string ca_file = dir.path() + "/ca.pem";
  std::filesystem::copy_file(t.other_root.pem, ca_file);
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const config::Config config = OneEndpoint(server.port(), "localhost", ca_file);
  probe::OpenSslProber runner;
  const auto cycle = [&] {
    return OnlyResult(runner.RunCycle(probe::ConfiguredTargets(config.endpoints),
                                      probe::ProbeSettingsFrom(config)));
  };

  EXPECT_EQ(cycle().verify_result, "untrusted");
  // Renewed in place, same size class: the stamp (inode, size, mtime, ctime) changes.
  std::filesystem::copy_file(t.root.pem, ca_file,
                             std::filesystem::copy_options::overwrite_existing);
  const ProbeResult renewed = cycle();
  EXPECT_TRUE(renewed.success) << renewed.failure_detail;
  EXPECT_EQ(renewed.verify_result, "ok");

  std::filesystem::remove(ca_file);  // Gone: the context cannot be built.
  const ProbeResult missing = cycle();
  EXPECT_EQ(missing.failure_reason, "tls_setup") << missing.failure_detail;
  std::filesystem::copy_file(t.root.pem, ca_file);  // Back: probed again at once.
  EXPECT_TRUE(cycle().success);
}

TEST(ProbeReuseTest, OneCycleKeepsEveryEndpointsOwnVerdictAndDeadline) {
  const TestPki& t = SharedPki();
  TlsServer good(t.leaf, {"-cert_chain", t.intermediate_chain});
  TlsServer expired(t.leaf_expired, {"-cert_chain", t.intermediate_chain});
  RawServer silent(RawServer::Mode::kSilent);
  RawServer closer(RawServer::Mode::kCloseAfterHello);
  const std::uint16_t refused = ClosedPort();
  config::Config config = OneEndpoint(good.port(), "localhost", t.root.pem);
  config.agent.probe_concurrency = 4;
  config.endpoints.clear();
  const auto add = [&](std::uint16_t port, const std::string& name, bool http = false) {
    config::EndpointConfig e = OneEndpoint(port, name, t.root.pem).endpoints[0];
    e.http = http;
    e.timeout = std::chrono::milliseconds(1500);
    config.endpoints.push_back(e);
  };
  for (int i = 0; i < 6; ++i) {
    add(good.port(), "localhost");
  }
  add(good.port(), "127.0.0.1");        // Verified against the certificate's IP SAN.
  add(good.port(), "wrong.example");    // Hostname mismatch.
  add(good.port(), "localhost", true);  // HTTP check: probed on a blocking lane.
  add(expired.port(), "localhost");
  add(silent.port(), "localhost");
  add(closer.port(), "localhost");
  add(refused, "localhost");
  probe::OpenSslProber runner;
  const auto start = steady_clock::now();
  const probe::ProbeReport report =
      runner.RunCycle(probe::ConfiguredTargets(config.endpoints), probe::ProbeSettingsFrom(config));
  const double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();
  ASSERT_EQ(report.results.size(), config.endpoints.size());

  std::map<std::string, int> ok_by_name;
  for (const ProbeResult& r : report.results) {
    const std::uint16_t port = static_cast<std::uint16_t>(std::stoi(r.target.substr(10)));
    if (port == good.port() && r.server_name == "wrong.example") {
      EXPECT_EQ(r.verify_result, "hostname_mismatch");
      EXPECT_EQ(r.failure_reason, "verify");
      EXPECT_EQ(r.chain.size(), 2U);
    } else if (port == good.port()) {
      EXPECT_TRUE(r.success) << r.server_name << ": " << r.failure_detail;
      ok_by_name[r.server_name] += r.success ? 1 : 0;
    } else if (port == expired.port()) {
      EXPECT_EQ(r.verify_result, "expired");
    } else if (port == silent.port()) {
      EXPECT_EQ(r.failure_reason, "tls_timeout");
      ASSERT_TRUE(r.phases.handshake && r.phases.connect && r.phases.resolve);
      EXPECT_GE(*r.phases.handshake + *r.phases.connect + *r.phases.resolve, 1.4);
    } else if (port == closer.port()) {
      EXPECT_EQ(r.failure_reason, "tls_eof") << r.failure_detail;
    } else {
      EXPECT_EQ(r.failure_reason, "connect_refused");
    }
  }
  EXPECT_EQ(ok_by_name["localhost"], 7);
  EXPECT_EQ(ok_by_name["127.0.0.1"], 1);
  const auto http = std::count_if(report.results.begin(), report.results.end(),
                                  [](const ProbeResult& r) { return r.http_status == 200; });
  EXPECT_EQ(http, 1);
  // The silent peer holds one slot for its 1.5 s; everything else goes on around it.
  EXPECT_LT(elapsed, 6.0);
}

}  // namespace
}  // namespace portwarden::testing
