// A name that resolves to several addresses is probed on each, one `address` label each, in
// the real agent's /metrics. The names come from a test-written /etc/hosts bind-mounted in a
// private mount namespace (see name_isolation.h); the servers are real `openssl s_server`s on
// the same port in both families, serving different keys (EC on 127.0.0.1, RSA on ::1), so a
// series proves which server it came from.
#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "tests/integration/probe/name_isolation.h"
#include "tests/integration/probe/probe_helpers.h"
#include "tests/lib/privilege.h"

namespace portwarden::testing {
namespace {

/// Every name the tests use; `pw-many` has six IPv4 addresses, the others 127.0.0.1 and ::1.
constexpr char kHosts[] =
    "127.0.0.1 localhost\n"
    "127.0.0.1 pw-both.test pw-one.test pw-v4.test pw-v6.test pw-half.test\n"
    "::1 pw-both.test pw-one.test pw-v4.test pw-v6.test pw-half.test\n"
    "127.0.0.1 pw-many.test\n127.0.0.2 pw-many.test\n127.0.0.3 pw-many.test\n"
    "127.0.0.4 pw-many.test\n127.0.0.5 pw-many.test\n127.0.0.6 pw-many.test\n";

class ProbeFanOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NameIsolation::Available()) {
      PORTWARDEN_SKIP_UNPRIVILEGED("needs root, unshare -m and bind mounts");
    }
    // Names not in the hosts file go to a server that never answers, never to the real DNS.
    const std::string dns = dns_.ip().empty() ? "127.53.53.53" : dns_.ip();
    isolation_ = std::make_unique<NameIsolation>(kHosts, NameIsolation::ResolvConfFor(dns));
  }

  /// One [[endpoints]] table for `name`:port, trusting the test root, SNI "localhost".
  static std::string Endpoint(const std::string& name,
                              std::uint16_t port,
                              const std::string& extra = "") {
    return "[[endpoints]]\ntarget = \"" + name + ":" + std::to_string(port) +
           "\"\nserver_name = \"localhost\"\nca_file = \"" + SharedPki().root.pem + "\"\n" + extra;
  }

  /// The agent's /metrics after its first cycle over `endpoints`.
  std::string ProbeWithAgent(const std::string& endpoints,
                             const std::vector<std::string>& targets) {
    AgentDaemon agent(
        "[agent]\nprobe_interval = \"1h\"\nprobe_timeout = \"3s\"\njitter = 0.0\n"
        "[discovery]\nenabled = false\n" +
            endpoints,
        isolation_.get());
    return agent.MetricsOnceProbed(targets);
  }

  /// address label -> value of `metric` for `target`.
  static std::map<std::string, double> ByAddress(const std::string& page,
                                                 const std::string& metric,
                                                 const std::string& target) {
    std::map<std::string, double> out;
    for (const auto& line : SeriesOf(page, metric, target)) {
      out[LabelOf(line, "address")] = ValueOf(line);
    }
    return out;
  }

  /// address label -> key_algorithm of the leaf that address served.
  static std::map<std::string, std::string> LeafKeys(const std::string& page,
                                                     const std::string& target) {
    std::map<std::string, std::string> out;
    for (const auto& line : SeriesOf(page, "portwarden_tls_cert_info", target)) {
      if (LabelOf(line, "chain_pos") == "0") {
        out[LabelOf(line, "address")] = LabelOf(line, "key_algorithm");
      }
    }
    return out;
  }

  SilentDnsServer dns_;
  std::unique_ptr<NameIsolation> isolation_;
};

/// The same port on 127.0.0.1 (EC leaf) and ::1 (RSA leaf). (s_server names the port it
/// listens on only when it chose it, so v6.port() is 0; a taken port fails its start-up.)
struct DualStackServers {
  DualStackServers()
      : v4(SharedPki().leaf, {"-cert_chain", SharedPki().intermediate_chain}),
        v6(SharedPki().leaf_rsa,
           {"-cert_chain", SharedPki().intermediate_chain},
           "[::1]:" + std::to_string(v4.port())) {}

  std::uint16_t port() const { return v4.port(); }

  TlsServer v4;
  TlsServer v6;
};

std::string V4(std::uint16_t port) {
  return "127.0.0.1:" + std::to_string(port);
}

std::string V6(std::uint16_t port) {
  return "[::1]:" + std::to_string(port);
}

TEST_F(ProbeFanOutTest, EachAddressOfANameIsProbedAndLabelled) {
  DualStackServers servers;
  const std::string target = "pw-both.test:" + std::to_string(servers.port());
  const std::string page = ProbeWithAgent(Endpoint("pw-both.test", servers.port()), {target});
  const auto success = ByAddress(page, "portwarden_tls_probe_success", target);
  EXPECT_EQ(success,
            (std::map<std::string, double>{{V4(servers.port()), 1}, {V6(servers.port()), 1}}))
      << page;
  // Each address's series describe the server on that address.
  EXPECT_EQ(LeafKeys(page, target), (std::map<std::string, std::string>{
                                        {V4(servers.port()), "EC"}, {V6(servers.port()), "RSA"}}));
  EXPECT_EQ(ByAddress(page, "portwarden_tls_probes_total", target).size(), 2U);
}

TEST_F(ProbeFanOutTest, MaxAddressesAndIpFamilyBoundTheFanOut) {
  DualStackServers servers;
  const std::uint16_t port = servers.port();
  auto target = [&](const std::string& name) { return name + ":" + std::to_string(port); };
  const std::string page = ProbeWithAgent(
      Endpoint("pw-one.test", port, "max_addresses = 1\n") +
          Endpoint("pw-v4.test", port, "ip_family = \"ipv4\"\n") +
          Endpoint("pw-v6.test", port, "ip_family = \"ipv6\"\n") + Endpoint("pw-many.test", port),
      {target("pw-one.test"), target("pw-v4.test"), target("pw-v6.test"), target("pw-many.test")});
  const auto one = ByAddress(page, "portwarden_tls_probe_success", target("pw-one.test"));
  ASSERT_EQ(one.size(), 1U) << page;
  EXPECT_TRUE(one.contains(V4(port)) || one.contains(V6(port)));
  EXPECT_EQ(ByAddress(page, "portwarden_tls_probe_success", target("pw-v4.test")),
            (std::map<std::string, double>{{V4(port), 1}}));
  EXPECT_EQ(LeafKeys(page, target("pw-v6.test")),
            (std::map<std::string, std::string>{{V6(port), "RSA"}}));
  // Six addresses, the default bound of four.
  const auto many = ByAddress(page, "portwarden_tls_probes_total", target("pw-many.test"));
  EXPECT_EQ(many.size(), 4U) << page;
  for (const auto& [address, probes] : many) {
    EXPECT_TRUE(address.starts_with("127.0.0.")) << address;
    EXPECT_EQ(probes, 1);
  }
}

TEST_F(ProbeFanOutTest, RefusingAddressFailsAloneWhileTheOtherAnswers) {
  const TestPki& t = SharedPki();
  TlsServer v4_only(t.leaf, {"-cert_chain", t.intermediate_chain});  // Nothing on [::1].
  const std::uint16_t port = v4_only.port();
  const std::string target = "pw-half.test:" + std::to_string(port);
  const std::string page = ProbeWithAgent(Endpoint("pw-half.test", port), {target});
  EXPECT_EQ(ByAddress(page, "portwarden_tls_probe_success", target),
            (std::map<std::string, double>{{V4(port), 1}, {V6(port), 0}}))
      << page;
  const auto failures = SeriesOf(page, "portwarden_tls_probe_failures_total", target);
  ASSERT_EQ(failures.size(), 1U) << page;
  EXPECT_EQ(LabelOf(failures[0], "address"), V6(port));
  EXPECT_EQ(LabelOf(failures[0], "reason"), "connect_refused");
  // The answering address keeps its full certificate data.
  EXPECT_EQ(LeafKeys(page, target), (std::map<std::string, std::string>{{V4(port), "EC"}}));
}

}  // namespace
}  // namespace portwarden::testing
