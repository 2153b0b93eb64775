// FirewallStage across cycles with a scripted RulesetSource (a stand-in for the namespace
// reads, which the firewall_verdicts integration test does for real): what is read again, what
// is judged again, and that a changed ruleset is seen at the next cycle.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include "agent/firewall/firewall.h"
#include "agent/firewall/nft_json.h"
#include "tests/unit/firewall/fixture.h"

namespace portwarden::firewall {
namespace {

// An input chain with policy drop that accepts `port` (and the set, when given).
std::string Accepting(int port, const std::string& set_flags = "") {
  std::string set;
  if (!set_flags.empty()) {
    set = R"({"set": {"family": "inet", "name": "s", "table": "t", "type": "ipv4_addr",
              "flags": )" +
          set_flags + R"(}},)";
  }
  return R"({"nftables": [{"table": {"family": "inet", "name": "t"}},)" + set +
         R"({"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter",
            "hook": "input", "prio": 0, "policy": "drop"}},
           {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [
             {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                        "right": )" +
         std::to_string(port) + R"(}}, {"accept": null}]}}]})";
}

IpAddress V4(const char* text) {
  IpAddress address;
  ::inet_pton(AF_INET, text, address.bytes.data());
  return address;
}

struct Namespace {
  std::optional<RulesetGeneration> generation;
  std::string json;
  std::array<std::uint8_t, 32> legacy{};  // the legacy tables' digest
  std::string legacy_error;               // why its IPv4 legacy tables could not be read
  int reads = 0;                          // full reads (ruleset listed and parsed)
};

class FirewallStageTest : public ::testing::Test {
 protected:
  FirewallStageTest()
      : stage_([this](const inventory::NamespaceView& view, std::optional<RulesetVersion> known) {
          Namespace& ns = namespaces_[view.inode];
          RulesetRead read;
          if (ns.generation) {
            read.version = RulesetVersion{*ns.generation, ns.legacy};
          }
          if (known && known == read.version) {
            read.unchanged = true;
            return read;
          }
          ++ns.reads;
          read.ruleset.ruleset = ParseNftJson(ns.json);
          read.ruleset.legacy_v4_error = ns.legacy_error;
          return read;
        }) {
    inventory::NamespaceView host{"host",         1, true, {V4("127.0.0.1"), V4("198.51.100.7")},
                                  {"lo", "eth0"}, ""};
    inventory::NamespaceView other{"net:[2]", 2, true, {V4("10.1.0.2")}, {"lo", "eth0"}, "/p"};
    inventory_.namespaces = {host, other};
    for (int port = 1000; port < 1010; ++port) {
      inventory_.listeners.push_back(Listener("host", port));
      inventory_.listeners.push_back(Listener("net:[2]", port));
    }
    namespaces_[1] = {RulesetGeneration{11, 1}, Accepting(1001)};
    namespaces_[2] = {RulesetGeneration{22, 1}, Accepting(1002)};
  }

  static inventory::Listener Listener(const char* netns, std::uint16_t port) {
    inventory::Listener listener;
    listener.netns = netns;
    listener.address = "0.0.0.0";
    listener.port = port;
    return listener;
  }

  // The verdict from a private source of the listener on `port` in `netns`.
  static Verdict Private(const FirewallReport& report,
                         const inventory::InventoryReport& inventory,
                         const std::string& netns,
                         std::uint16_t port) {
    for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
      if (inventory.listeners[i].netns == netns && inventory.listeners[i].port == port) {
        return report.listeners.at(i).from_private;
      }
    }
    ADD_FAILURE() << "no listener " << netns << " " << port;
    return Verdict::kUnknown;
  }

  std::map<std::uint64_t, Namespace> namespaces_;
  FirewallStage stage_;
  inventory::InventoryReport inventory_;
};

TEST_F(FirewallStageTest, SteadyStateReadsAndJudgesNothingAgain) {
  const auto first = stage_.Assess(inventory_);
  EXPECT_EQ(first.rulesets_read, 2U);
  EXPECT_EQ(first.listeners_evaluated, 20U);
  const auto second = stage_.Assess(inventory_);
  EXPECT_EQ(second.rulesets_read, 0U);
  EXPECT_EQ(second.listeners_evaluated, 0U);
  ASSERT_EQ(second.listeners.size(), first.listeners.size());
  for (std::size_t i = 0; i < first.listeners.size(); ++i) {
    EXPECT_EQ(second.listeners[i].from_public, first.listeners[i].from_public) << i;
    EXPECT_EQ(second.listeners[i].from_private, first.listeners[i].from_private) << i;
  }
  EXPECT_EQ(Private(second, inventory_, "host", 1001), Verdict::kAccept);
  EXPECT_EQ(Private(second, inventory_, "host", 1002), Verdict::kDrop);
  EXPECT_EQ(second.namespaces.size(), 2U);
  EXPECT_EQ(second.namespaces[1].rules, 1U);
}

TEST_F(FirewallStageTest, ChangedRulesetIsSeenAtTheNextCycle) {
  stage_.Assess(inventory_);
  namespaces_[2].generation = RulesetGeneration{22, 2};
  namespaces_[2].json = Accepting(1005);
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 1U);
  EXPECT_EQ(report.listeners_evaluated, 10U);  // only that namespace's listeners
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1005), Verdict::kAccept);
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1002), Verdict::kDrop);
  EXPECT_EQ(Private(report, inventory_, "host", 1001), Verdict::kAccept);
}

TEST_F(FirewallStageTest, SameIdInAnotherNamespaceInstanceIsReadAgain) {
  stage_.Assess(inventory_);
  namespaces_[2].generation = RulesetGeneration{23, 1};  // recreated: same inode and id
  namespaces_[2].json = Accepting(1007);
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 1U);
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1007), Verdict::kAccept);
}

TEST_F(FirewallStageTest, ChangedLegacyTablesAreReadAgain) {
  stage_.Assess(inventory_);
  namespaces_[2].legacy[0] = 1;  // same nftables generation, other legacy entries
  namespaces_[2].json = Accepting(1008);
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 1U);
  EXPECT_EQ(report.listeners_evaluated, 10U);
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1008), Verdict::kAccept);
}

TEST_F(FirewallStageTest, UnreadableLegacyTablesMakeTheNamespaceUnreadable) {
  namespaces_[2].legacy_error = "legacy iptables filter: get info: Operation not permitted";
  const auto report = stage_.Assess(inventory_);
  EXPECT_TRUE(report.namespaces[0].readable);
  EXPECT_FALSE(report.namespaces[1].readable);
  EXPECT_EQ(report.namespaces[1].reason, namespaces_[2].legacy_error);
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1002), Verdict::kUnknown);
  EXPECT_EQ(Private(report, inventory_, "host", 1001), Verdict::kAccept);
}

TEST_F(FirewallStageTest, OnlyNewListenersAreJudged) {
  stage_.Assess(inventory_);
  inventory_.listeners.push_back(Listener("net:[2]", 1002));
  inventory_.listeners.back().address = "10.1.0.2";
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.listeners_evaluated, 1U);
  EXPECT_EQ(report.listeners.back().from_private, Verdict::kAccept);
}

TEST_F(FirewallStageTest, AddressChangeJudgesThatNamespaceAgain) {
  stage_.Assess(inventory_);
  inventory_.namespaces[1].addresses.push_back(V4("10.1.0.3"));
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 0U);
  EXPECT_EQ(report.listeners_evaluated, 10U);
}

TEST_F(FirewallStageTest, WithoutGenerationOrWithVolatileSetsEveryCycleReads) {
  namespaces_[1].generation.reset();
  namespaces_[2].json = Accepting(1002, R"(["dynamic"])");
  stage_.Assess(inventory_);
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 2U);
  EXPECT_EQ(namespaces_[1].reads, 2);
  EXPECT_EQ(namespaces_[2].reads, 2);
  EXPECT_EQ(Private(report, inventory_, "net:[2]", 1002), Verdict::kAccept);
}

TEST_F(FirewallStageTest, ChangedPublisherJudgesEveryListenerAgain) {
  inventory_.listeners.push_back(Listener("net:[2]", 80));
  namespaces_[1].json = testing::ReadFixture("filter_dnat.json");  // publishes net:[2]'s ports
  namespaces_[2].json = R"({"nftables": []})";
  inventory_.namespaces[1].addresses = {V4("10.200.0.2")};
  stage_.Assess(inventory_);
  namespaces_[1].generation = RulesetGeneration{11, 2};
  const auto report = stage_.Assess(inventory_);
  EXPECT_EQ(report.rulesets_read, 1U);
  EXPECT_EQ(report.listeners_evaluated, inventory_.listeners.size());
  EXPECT_TRUE(report.listeners.back().published);
}

TEST(VolatileSets, TimeoutAndDynamicFlagsAreSeen) {
  EXPECT_FALSE(ParseNftJson(Accepting(1, R"(["interval"])"))->volatile_sets);
  EXPECT_TRUE(ParseNftJson(Accepting(1, R"(["interval", "timeout"])"))->volatile_sets);
  EXPECT_TRUE(ParseNftJson(Accepting(1, R"("dynamic")"))->volatile_sets);
}

}  // namespace
}  // namespace portwarden::firewall
