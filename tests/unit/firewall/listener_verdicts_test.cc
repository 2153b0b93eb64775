#include "agent/firewall/listener_verdicts.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include "agent/firewall/nft_json.h"
#include "tests/unit/firewall/fixture.h"

namespace portwarden::firewall {
namespace {

IpAddress V4(const char* text) {
  IpAddress address;
  ::inet_pton(AF_INET, text, address.bytes.data());
  return address;
}

inventory::Listener Tcp(const char* netns, const char* address, std::uint16_t port) {
  inventory::Listener listener;
  listener.netns = netns;
  listener.address = address;
  listener.port = port;
  return listener;
}

class ListenerVerdictsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.label = "host";
    host_.inode = 1;
    host_.addresses = {V4("127.0.0.1"), V4("203.0.113.1")};
    host_.interfaces = {"lo", "veth0"};
    container_.label = "net:[2]";
    container_.inode = 2;
    container_.addresses = {V4("127.0.0.1"), V4("10.200.0.2")};
    container_.interfaces = {"lo", "eth0"};
    rulesets_[1].ruleset = ParseNftJson(testing::ReadFixture("filter_dnat.json"));
    rulesets_[2].ruleset = Ruleset{};
  }

  std::vector<ListenerFirewall> Run(const std::vector<inventory::Listener>& listeners) {
    const std::vector<inventory::NamespaceView> views{host_, container_};
    return EvaluateListeners(listeners, views, rulesets_);
  }

  inventory::NamespaceView host_;
  inventory::NamespaceView container_;
  Rulesets rulesets_;
};

TEST_F(ListenerVerdictsTest, WildcardAndLoopbackOnTheHost) {
  const auto verdicts = Run({Tcp("host", "0.0.0.0", 8443), Tcp("host", "127.0.0.1", 443)});
  EXPECT_EQ(verdicts[0].from_public, Verdict::kDrop);
  EXPECT_EQ(verdicts[0].from_private, Verdict::kAccept);
  EXPECT_EQ(EffectiveScope(Scope::kPublic, verdicts[0]), Scope::kPrivate);
  EXPECT_EQ(verdicts[1].from_public, Verdict::kDrop);  // loopback: unreachable from outside
}

TEST_F(ListenerVerdictsTest, DnatPublishesTheContainerPort) {
  const auto verdicts = Run({Tcp("net:[2]", "0.0.0.0", 80), Tcp("net:[2]", "0.0.0.0", 81)});
  EXPECT_TRUE(verdicts[0].published);
  EXPECT_EQ(verdicts[0].published_scope, Scope::kPrivate);  // 203.0.113.1 is documentation
  EXPECT_EQ(verdicts[0].from_public, Verdict::kAccept);
  EXPECT_FALSE(verdicts[1].published);
}

TEST_F(ListenerVerdictsTest, UnreadableRulesetIsUnknownWithItsReason) {
  rulesets_[2].ruleset = Fail("namespace cannot be entered");
  const auto verdicts = Run({Tcp("net:[2]", "0.0.0.0", 81)});
  EXPECT_EQ(verdicts[0].from_public, Verdict::kUnknown);
  EXPECT_EQ(verdicts[0].reason, "namespace cannot be entered");
}

TEST_F(ListenerVerdictsTest, UnreadableLegacyTablesAreUnknownForTheirFamily) {
  rulesets_[2].legacy_v4_error = "legacy iptables filter: get info: Operation not permitted";
  const auto verdicts = Run({Tcp("net:[2]", "0.0.0.0", 81)});
  EXPECT_EQ(verdicts[0].from_private, Verdict::kUnknown);
  EXPECT_EQ(verdicts[0].reason, rulesets_[2].legacy_v4_error);
}

// Docker 20.10's ruleset (docker_native.nft): PREROUTING jumps on `fib daddr type local` to
// the DOCKER user chain, whose DNATs publish 172.17.0.2:80 on 8080 and 172.17.0.3:81 on 8081;
// FORWARD (policy drop) runs DOCKER-USER, which drops 172.17.0.3 from eth0 unless 10/8, then
// accepts what leaves by docker0 through the filter DOCKER chain.
class DockerVerdictsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.label = "host";
    host_.inode = 1;
    host_.addresses = {V4("127.0.0.1"), V4("198.20.0.1"), V4("172.17.0.1")};
    host_.interfaces = {"lo", "eth0", "docker0"};
    host_.prefixes = {{"eth0", V4("198.20.0.1"), 24}, {"docker0", V4("172.17.0.1"), 16}};
    rulesets_[1].ruleset = ParseNftJson(testing::ReadFixture("docker_native.json"));
  }

  inventory::NamespaceView Container(const char* label, std::uint64_t inode, const char* address) {
    inventory::NamespaceView view;
    view.label = label;
    view.inode = inode;
    view.addresses = {V4("127.0.0.1"), V4(address)};
    view.interfaces = {"lo", "eth0"};
    view.prefixes = {{"eth0", V4(address), 16}};
    rulesets_[inode].ruleset = Ruleset{};
    return view;
  }

  std::vector<ListenerFirewall> Run(const std::vector<inventory::Listener>& listeners) {
    const std::vector<inventory::NamespaceView> views{host_, Container("net:[2]", 2, "172.17.0.2"),
                                                      Container("net:[3]", 3, "172.17.0.3")};
    return EvaluateListeners(listeners, views, rulesets_);
  }

  inventory::NamespaceView host_;
  Rulesets rulesets_;
};

TEST_F(DockerVerdictsTest, PublishedThroughTheDockerUserChain) {
  ASSERT_TRUE(rulesets_[1].ruleset.has_value());
  const auto verdicts = Run(
      {Tcp("net:[2]", "0.0.0.0", 80), Tcp("net:[3]", "0.0.0.0", 81), Tcp("host", "0.0.0.0", 22)});
  EXPECT_TRUE(verdicts[0].published);
  EXPECT_EQ(verdicts[0].from_public, Verdict::kAccept) << verdicts[0].reason;
  EXPECT_EQ(verdicts[0].from_private, Verdict::kAccept) << verdicts[0].reason;
  EXPECT_TRUE(verdicts[1].published);
  EXPECT_EQ(verdicts[1].from_public, Verdict::kDrop) << verdicts[1].reason;
  EXPECT_EQ(verdicts[1].from_private, Verdict::kAccept) << verdicts[1].reason;
  // The host's own listeners pass PREROUTING's addrtype jump and DOCKER's return.
  EXPECT_EQ(verdicts[2].from_public, Verdict::kAccept) << verdicts[2].reason;
}

TEST_F(DockerVerdictsTest, OutputInterfaceNotKnownIsUnknown) {
  host_.prefixes.clear();  // read through /proc: no prefixes, no route to the container
  const auto verdicts = Run({Tcp("net:[2]", "0.0.0.0", 80)});
  EXPECT_EQ(verdicts[0].from_public, Verdict::kUnknown);
  EXPECT_EQ(verdicts[0].reason, "oifname where the output interface is not known");
}

}  // namespace
}  // namespace portwarden::firewall
