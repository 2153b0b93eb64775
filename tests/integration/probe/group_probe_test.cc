// Key-exchange group detection against real peers: `openssl s_server` (OpenSSL 3.0: classical
// groups, no ML-KEM), cross-checked group by group with `openssl s_client -groups`; the test
// responder tests/integration/lib/tls13_hello_responder.py (a TEST RESPONDER, not a TLS server:
// it answers the ClientHello and stops) for a peer that selects X25519MLKEM768 and for ones
// that do not; and the hostile peers, which must end within the deadline with a reason.
#include "agent/probe/group_probe.h"

#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "agent/probe/address_resolution.h"
#include "tests/integration/probe/hostile_peers.h"
#include "tests/integration/probe/probe_helpers.h"
#include "tests/lib/privilege.h"

namespace portwarden::testing {
namespace {

using std::chrono::steady_clock;

probe::ResolvedAddress Loopback(std::uint16_t port) {
  const std::atomic<bool> cancelled{false};
  auto addresses = probe::Resolve("127.0.0.1", port, config::IpFamily::kAny, 1,
                                  {steady_clock::now() + std::chrono::seconds(1), &cancelled});
  EXPECT_TRUE(addresses && addresses->size() == 1);
  return addresses->front();
}

/// group name → supported (nullopt: undetermined, with its reason in `reasons`).
struct Found {
  std::map<std::string, std::optional<bool>> supported;
  std::map<std::string, std::string> reasons;
  double seconds = 0;
};

Found Detect(std::uint16_t port, double timeout_seconds = 5, const std::string& netns_path = "") {
  const std::atomic<bool> cancelled{false};
  const auto started = steady_clock::now();
  const probe::ProbeDeadline deadline{
      started + std::chrono::milliseconds(static_cast<int>(timeout_seconds * 1000)), &cancelled};
  Found found;
  for (const auto& verdict :
       probe::ProbeGroups(Loopback(port), netns_path, "localhost", deadline)) {
    found.supported[verdict.group] = verdict.supported;
    found.reasons[verdict.group] = verdict.error_reason;
  }
  found.seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  return found;
}

/// Whether `openssl s_client -groups <name>` completes a TLS 1.3 handshake with the server.
bool SClientAccepts(std::uint16_t port, const std::string& openssl_group) {
  const std::string command =
      "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
      " -tls1_3 -groups " + openssl_group + " 2>&1 | grep -c '^New, TLSv1.3' || true";
  return Shell(command).starts_with("1");
}

std::string ResponderPath() {
  return std::string(PORTWARDEN_SOURCE_DIR) + "/tests/integration/lib/tls13_hello_responder.py";
}

TEST(GroupProbeTest, OpenSslServerAgreesWithSClientGroupByGroup) {
  const TestPki& pki = SharedPki();
  TlsServer server(pki.leaf, {"-cert_chain", pki.intermediate_chain, "-tls1_3"});
  const Found found = Detect(server.port());
  // Classical groups: what portwarden found is what OpenSSL's own client can negotiate.
  for (const auto& group : probe::groups::All()) {
    if (group.kind != probe::groups::ShareKind::kClassical) {
      continue;
    }
    ASSERT_TRUE(found.supported.at(std::string(group.name)).has_value())
        << group.name << ": " << found.reasons.at(std::string(group.name));
    EXPECT_EQ(*found.supported.at(std::string(group.name)),
              SClientAccepts(server.port(), std::string(group.openssl_name)))
        << group.name;
  }
  EXPECT_EQ(found.supported.at("x25519"), true);
  EXPECT_EQ(found.supported.at("secp256r1"), true);
  // OpenSSL 3.0 knows no ML-KEM: it refuses the hybrids (and s_client cannot even offer them).
  EXPECT_EQ(found.supported.at("X25519MLKEM768"), false);
  EXPECT_EQ(found.supported.at("SecP256r1MLKEM768"), false);
}

TEST(GroupProbeTest, ServerLimitedToP256AcceptsOnlyP256) {
  const TestPki& pki = SharedPki();
  TlsServer server(pki.leaf, {"-cert_chain", pki.intermediate_chain, "-groups", "P-256"});
  const Found found = Detect(server.port());
  EXPECT_EQ(found.supported.at("secp256r1"), true);
  EXPECT_TRUE(SClientAccepts(server.port(), "P-256"));
  EXPECT_EQ(found.supported.at("x25519"), false);
  EXPECT_FALSE(SClientAccepts(server.port(), "X25519"));
  EXPECT_EQ(found.supported.at("secp384r1"), false);
  EXPECT_EQ(found.supported.at("X25519MLKEM768"), false);
}

TEST(GroupProbeTest, ResponderSelectingX25519MlKem768IsSeenAsSupporting) {
  ChildProcess responder({"python3", ResponderPath(), "--accept", "11ec"}, "ready ");
  const auto port = static_cast<std::uint16_t>(std::stoi(responder.ready_line().substr(6)));
  const Found found = Detect(port);
  EXPECT_EQ(found.supported.at("X25519MLKEM768"), true);
  EXPECT_EQ(found.supported.at("x25519"), false);  // answered with an alert
  EXPECT_EQ(found.supported.at("SecP256r1MLKEM768"), false);
}

TEST(GroupProbeTest, ResponderAskingForAnotherGroupIsNotSupporting) {
  // HelloRetryRequest for x25519, a group the ClientHello did not offer: not X25519MLKEM768.
  ChildProcess responder({"python3", ResponderPath(), "--reject", "hrr:001d"}, "ready ");
  const auto port = static_cast<std::uint16_t>(std::stoi(responder.ready_line().substr(6)));
  const Found found = Detect(port);
  EXPECT_EQ(found.supported.at("X25519MLKEM768"), false);
  EXPECT_EQ(found.supported.at("x25519"), true);  // HRR naming the offered group
}

TEST(GroupProbeTest, HostilePeersEndWithinTheDeadlineWithAReason) {
  const TestPki& pki = SharedPki();
  HostilePeers peers(pki.leaf.pem, pki.leaf.key);
  const std::map<std::string, std::string> first_reason{
      {"tarpit", "timeout"}, {"drip", "timeout"},    {"garbage", "malformed"},
      {"close", "closed"},   {"flood", "malformed"}, {"stall", "no_tls13"}};
  for (const auto& [peer, reason] : first_reason) {
    const Found found = Detect(peers.Port(peer), 1.5);
    EXPECT_FALSE(found.supported.at("x25519").has_value()) << peer;
    EXPECT_EQ(found.reasons.at("x25519"), reason) << peer;
    EXPECT_LT(found.seconds, 5.0) << peer;  // one deadline for all groups (1.5 s), not one each
  }
  const Found alert = Detect(peers.Port("alert"));
  EXPECT_EQ(alert.supported.at("x25519"), false);
}

TEST(GroupProbeTest, ListenerInAnotherNamespaceIsProbedFromInsideIt) {
  if (::geteuid() != 0) {
    PORTWARDEN_SKIP_UNPRIVILEGED("needs root for ip netns");
  }
  const std::string netns = "pwgroups" + std::to_string(::getpid());
  Shell("ip netns add " + netns + " && ip -n " + netns + " link set lo up");
  {
    ChildProcess responder(
        {"ip", "netns", "exec", netns, "python3", ResponderPath(), "--accept", "11ec"}, "ready ");
    const auto port = static_cast<std::uint16_t>(std::stoi(responder.ready_line().substr(6)));
    const Found inside = Detect(port, 5, "/run/netns/" + netns);
    EXPECT_EQ(inside.supported.at("X25519MLKEM768"), true);
    EXPECT_EQ(inside.supported.at("x25519"), false);
    // The same port in the agent's own namespace is another socket (none, here).
    const Found outside = Detect(port, 2);
    EXPECT_FALSE(outside.supported.at("X25519MLKEM768").has_value());
    EXPECT_EQ(outside.reasons.at("X25519MLKEM768"), "connect_refused");
  }
  Shell("ip netns del " + netns);
}

}  // namespace
}  // namespace portwarden::testing
