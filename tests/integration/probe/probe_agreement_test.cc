// The prober's dates against independent tools on the same real servers: `openssl x509
// -enddate` of the served certificate, and Debian's blackbox_exporter's
// probe_ssl_earliest_cert_expiry (started here on loopback with its own config file).
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

/// Unix seconds of "notAfter=Nov 29 21:53:22 2036 GMT".
std::int64_t ParseEndDate(const std::string& line) {
  std::tm parts{};
  const auto at = line.find('=');
  EXPECT_NE(at, std::string::npos) << line;
  EXPECT_NE(strptime(line.c_str() + at + 1, "%b %d %H:%M:%S %Y GMT", &parts), nullptr) << line;
  return static_cast<std::int64_t>(timegm(&parts));
}

TEST(ProbeAgreementTest, NotAfterEqualsOpensslX509EndDate) {
  const TestPki& t = SharedPki();
  for (const Cert* cert : {&t.leaf, &t.leaf_rsa, &t.leaf_expired}) {
    TlsServer server(*cert, {"-cert_chain", t.intermediate_chain});
    const std::string served =
        Shell("openssl s_client -connect 127.0.0.1:" + std::to_string(server.port()) +
              " -servername localhost </dev/null 2>/dev/null | "
              "openssl x509 -noout -enddate");
    const probe::ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
    ASSERT_FALSE(r.chain.empty());
    EXPECT_EQ(static_cast<std::int64_t>(r.chain[0].not_after), ParseEndDate(served));
  }
}

/// Value of the first sample line starting with `name ` in Prometheus text.
std::optional<double> Sample(const std::string& text, const std::string& name) {
  for (std::size_t at = text.find(name + " "); at != std::string::npos;
       at = text.find(name + " ", at + 1)) {
    if (at == 0 || text[at - 1] == '\n') {
      return std::strtod(text.c_str() + at + name.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

TEST(ProbeAgreementTest, EarliestExpiryEqualsBlackboxExporter) {
  const TestPki& t = SharedPki();
  TempDir dir;
  std::ofstream(dir.path() + "/blackbox.yml")
      << "modules:\n  tls_connect:\n    prober: tcp\n    timeout: 5s\n    tcp:\n"
      << "      preferred_ip_protocol: ip4\n      tls: true\n      tls_config:\n"
      << "        ca_file: " << t.root.pem << "\n        server_name: localhost\n";
  const std::uint16_t bb_port = ClosedPort();
  ChildProcess blackbox(
      {"prometheus-blackbox-exporter", "--config.file=" + dir.path() + "/blackbox.yml",
       "--web.listen-address=127.0.0.1:" + std::to_string(bb_port)},
      "Listening on", /*merge_stderr=*/true);
  for (const auto& [leaf, chain] : {std::pair{&t.leaf_under_short, t.short_intermediate.pem},
                                    std::pair{&t.leaf_expiring, t.intermediate_chain}}) {
    TlsServer server(*leaf, {"-cert_chain", chain});
    std::string text;
    for (int attempt = 0; attempt < 50 && text.find("probe_success") == std::string::npos;
         ++attempt) {
      text = Shell("curl -s 'http://127.0.0.1:" + std::to_string(bb_port) +
                   "/probe?module=tls_connect&target=127.0.0.1:" + std::to_string(server.port()) +
                   "' || true");
      if (text.find("probe_success") == std::string::npos) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    EXPECT_EQ(Sample(text, "probe_success"), std::optional<double>(1)) << text;
    const auto bb_earliest = Sample(text, "probe_ssl_earliest_cert_expiry");
    ASSERT_TRUE(bb_earliest.has_value()) << text;
    const probe::ProbeResult r = ProbeOnce(server.port(), "localhost", t.root.pem);
    double earliest = r.chain.empty() ? 0 : r.chain[0].not_after;
    for (const auto& cert : r.chain)
      earliest = std::min(earliest, cert.not_after);
    EXPECT_EQ(earliest, *bb_earliest);
    EXPECT_EQ(static_cast<std::int64_t>(earliest),
              std::min(leaf->not_after, leaf == &t.leaf_under_short ? t.short_intermediate.not_after
                                                                    : t.intermediate.not_after));
  }
}

}  // namespace
}  // namespace portwarden::testing
