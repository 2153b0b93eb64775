// Real `openssl s_server` peers on loopback with test-time certificates: each test asserts the
// exact dates, the verdict and its reason, and that certificate data survives a failed
// verification.
#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

using probe::ProbeResult;

void ExpectDates(const probe::CertificateInfo& info, const Cert& cert) {
  EXPECT_EQ(static_cast<std::int64_t>(info.not_before), cert.not_before);
  EXPECT_EQ(static_cast<std::int64_t>(info.not_after), cert.not_after);
}

TEST(ProbeVerdictsTest, ValidChainWithIntermediate) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_TRUE(r.verified);
  EXPECT_EQ(r.verify_result, "ok");
  ASSERT_EQ(r.chain.size(), 2U);
  ExpectDates(r.chain[0], t.leaf);
  ExpectDates(r.chain[1], t.intermediate);
  EXPECT_EQ(r.chain[0].subject_cn, "localhost");
  EXPECT_EQ(r.chain[0].issuer_cn, "Test Intermediate");
  EXPECT_EQ(r.chain[1].issuer_cn, "Test Root CA");
  EXPECT_EQ(r.chain[0].san, "localhost,127.0.0.1");
  EXPECT_EQ(r.chain[0].key_algorithm, "EC");
  EXPECT_EQ(r.chain[0].key_bits, 256);
  EXPECT_EQ(r.chain[0].signature_algorithm, "ecdsa-with-SHA256");
  // Serial and fingerprint as the openssl CLI prints them, normalised.
  std::string serial = Shell("openssl x509 -noout -serial -in " + t.leaf.pem);
  serial = serial.substr(serial.find('=') + 1);
  serial.erase(serial.find_last_not_of("\n") + 1);
  for (auto& c : serial)
    c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(r.chain[0].serial, serial.substr(serial.find_first_not_of('0')));
  std::string fingerprint = Shell("openssl x509 -noout -fingerprint -sha256 -in " + t.leaf.pem);
  std::string hex;
  for (char c : fingerprint.substr(fingerprint.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c)))
      hex += static_cast<char>(std::tolower(c));
  }
  EXPECT_EQ(r.chain[0].fingerprint_sha256, hex);
  ASSERT_TRUE(r.phases.resolve && r.phases.connect && r.phases.handshake);
  EXPECT_GT(*r.phases.handshake, 0.0);
}

TEST(ProbeVerdictsTest, LeafExpiringInThreeDaysStillVerifies) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_expiring, {"-cert_chain", t.intermediate_chain});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_TRUE(r.success);
  EXPECT_EQ(r.verify_result, "ok");
  ASSERT_EQ(r.chain.size(), 2U);
  ExpectDates(r.chain[0], t.leaf_expiring);
}

TEST(ProbeVerdictsTest, IntermediateExpiringBeforeLeafIsTheEarliest) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_under_short, {"-cert_chain", t.short_intermediate.pem});
  probe::OpenSslProber runner;
  const auto config = OneEndpoint(server.port(), "localhost", t.root.pem);
  const auto report =
      runner.RunCycle(probe::ConfiguredTargets(config.endpoints), probe::ProbeSettingsFrom(config));
  ASSERT_EQ(report.results.size(), 1U);
  const ProbeResult& r = report.results[0];
  EXPECT_TRUE(r.success);
  ASSERT_EQ(r.chain.size(), 2U);
  ExpectDates(r.chain[0], t.leaf_under_short);
  ExpectDates(r.chain[1], t.short_intermediate);
  const std::string text = TlsMetricsText(report);
  EXPECT_NE(text.find(SeriesPrefix("portwarden_tls_chain_earliest_not_after_timestamp_seconds",
                                   server.port(), "localhost") +
                      "} " + std::to_string(t.short_intermediate.not_after) + "\n"),
            std::string::npos)
      << text;
}

/// Runs a failing-verification scenario and checks result, depth and surviving metrics.
void ExpectVerifyFailure(const Cert& leaf,
                         const std::vector<std::string>& chain_args,
                         const std::string& server_name,
                         const std::string& ca_file,
                         const std::string& result,
                         int depth) {
  TlsServer server(leaf, chain_args);
  probe::OpenSslProber runner;
  const auto config = OneEndpoint(server.port(), server_name, ca_file);
  const auto report =
      runner.RunCycle(probe::ConfiguredTargets(config.endpoints), probe::ProbeSettingsFrom(config));
  ASSERT_EQ(report.results.size(), 1U);
  const ProbeResult& r = report.results[0];
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(r.verified);
  EXPECT_EQ(r.failure_reason, "verify");
  EXPECT_EQ(r.verify_result, result) << r.verify_detail;
  EXPECT_EQ(r.verify_depth, depth);
  EXPECT_FALSE(r.tls_version.empty());
  ASSERT_FALSE(r.chain.empty());
  ExpectDates(r.chain[0], leaf);
  const std::string text = TlsMetricsText(report);
  const auto prefix = [&](const std::string& name) {
    return SeriesPrefix(name, server.port(), server_name);
  };
  EXPECT_NE(text.find(prefix("portwarden_tls_cert_not_after_timestamp_seconds") +
                      ",chain_pos=\"0\"} " + std::to_string(leaf.not_after) + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(prefix("portwarden_tls_cert_not_before_timestamp_seconds") +
                      ",chain_pos=\"0\"} " + std::to_string(leaf.not_before) + "\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(prefix("portwarden_tls_verify_result_info") + ",result=\"" + result + "\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find(prefix("portwarden_tls_cert_verified") + "} 0\n"), std::string::npos);
  EXPECT_NE(text.find(prefix("portwarden_tls_probe_failures_total") + ",reason=\"verify\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find(prefix("portwarden_tls_cert_info") + ",chain_pos=\"0\",subject_cn="),
            std::string::npos);
}

TEST(ProbeVerdictsTest, ExpiredLeaf) {
  const TestPki& t = SharedPki();
  ExpectVerifyFailure(t.leaf_expired, {"-cert_chain", t.intermediate_chain}, "localhost",
                      t.root.pem, "expired", 0);
}

TEST(ProbeVerdictsTest, NotYetValidLeaf) {
  const TestPki& t = SharedPki();
  ExpectVerifyFailure(t.leaf_not_yet, {"-cert_chain", t.intermediate_chain}, "localhost",
                      t.root.pem, "not_yet_valid", 0);
}

TEST(ProbeVerdictsTest, SelfSignedLeaf) {
  const TestPki& t = SharedPki();
  ExpectVerifyFailure(t.leaf_self_signed, {}, "localhost", t.root.pem, "self_signed", 0);
}

TEST(ProbeVerdictsTest, UntrustedRoot) {
  const TestPki& t = SharedPki();
  ExpectVerifyFailure(t.leaf, {"-cert_chain", t.intermediate_chain}, "localhost", t.other_root.pem,
                      "untrusted", 1);
}

TEST(ProbeVerdictsTest, WrongHostname) {
  const TestPki& t = SharedPki();
  ExpectVerifyFailure(t.leaf, {"-cert_chain", t.intermediate_chain}, "wrong.example", t.root.pem,
                      "hostname_mismatch", 0);
}

TEST(ProbeVerdictsTest, RsaKey) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_rsa, {"-cert_chain", t.intermediate_chain});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_TRUE(r.success) << r.failure_detail;
  ASSERT_EQ(r.chain.size(), 2U);
  ExpectDates(r.chain[0], t.leaf_rsa);
  EXPECT_EQ(r.chain[0].key_algorithm, "RSA");
  EXPECT_EQ(r.chain[0].key_bits, 2048);
  EXPECT_EQ(r.chain[0].signature_algorithm, "ecdsa-with-SHA256");  // signed by the EC CA
  EXPECT_EQ(r.chain[1].key_algorithm, "EC");
}

TEST(ProbeVerdictsTest, Tls12OnlyServer) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_rsa, {"-cert_chain", t.intermediate_chain, "-tls1_2"});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_EQ(r.tls_version, "TLS 1.2");
  EXPECT_EQ(r.cipher.rfind("TLS_ECDHE_RSA_WITH_", 0), 0U) << r.cipher;
  EXPECT_FALSE(r.group.empty());
}

TEST(ProbeVerdictsTest, Tls13Server) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain, "-tls1_3"});
  const ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_EQ(r.tls_version, "TLS 1.3");
  EXPECT_EQ(r.cipher.rfind("TLS_AES_", 0) == 0 || r.cipher.rfind("TLS_CHACHA20", 0) == 0, true)
      << r.cipher;
  EXPECT_EQ(r.group, "X25519");
}

TEST(ProbeVerdictsTest, Ipv6AddressIsProbedAndLabelled) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain}, "[::1]:0");
  const std::string port = std::to_string(server.port());
  const ProbeResult r =
      ProbeOnce(server.port(), "localhost", t.root.pem, [&](config::EndpointConfig& e) {
        e.host = "::1";
        e.target = "[::1]:" + port;
        e.ip_family = config::IpFamily::kIpv6;
      });
  EXPECT_TRUE(r.success) << r.failure_detail;
  EXPECT_EQ(r.target, "[::1]:" + port);
  EXPECT_EQ(r.address, "[::1]:" + port);
  ASSERT_FALSE(r.chain.empty());
  ExpectDates(r.chain[0], t.leaf);
}

}  // namespace
}  // namespace portwarden::testing
