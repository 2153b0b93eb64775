#include "agent/firewall/nft_json.h"

#include <gtest/gtest.h>

#include "tests/unit/firewall/fixture.h"

namespace portwarden::firewall {
namespace {

using testing::ReadFixture;

TEST(NftJsonTest, ParsesCapturedRuleset) {
  auto ruleset = ParseNftJson(ReadFixture("filter_dnat.json"));
  ASSERT_TRUE(ruleset) << ruleset.error().message;
  ASSERT_EQ(ruleset->tables.size(), 2u);
  const Table& filter = ruleset->tables[0];
  EXPECT_EQ(filter.family, TableFamily::kInet);
  const Chain& input = filter.chains[filter.chain_index.at("input")];
  EXPECT_TRUE(input.base);
  EXPECT_EQ(input.hook, Hook::kInput);
  EXPECT_TRUE(input.policy_drop);
  EXPECT_EQ(input.rules.size(), 12u);
  // `tcp dport 6000 meta mark 0x1 accept`: the mark match is not modelled, and says so.
  const auto& last = input.rules.back().statements;
  ASSERT_EQ(last.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<Unmodelled>(last[1]));
  EXPECT_EQ(std::get<Unmodelled>(last[1]).what, "meta mark");
  // The named set resolves to its elements (a port and a range).
  const auto& named = std::get<Match>(input.rules[5].statements[1]);
  ASSERT_EQ(named.right->size(), 2u);
  EXPECT_EQ((*named.right)[1].interval.lo, 9000u);
  EXPECT_EQ((*named.right)[1].interval.hi, 9100u);
  const Table& nat = ruleset->tables[1];
  const auto& dnat = nat.chains[0].rules[0].statements.back();
  ASSERT_TRUE(std::holds_alternative<DnatStmt>(dnat));
  EXPECT_EQ(std::get<DnatStmt>(dnat).port, 80);
}

TEST(NftJsonTest, IptablesNftCompatMatchIsNamed) {
  auto ruleset = ParseNftJson(ReadFixture("iptables_nft.json"));
  ASSERT_TRUE(ruleset) << ruleset.error().message;
  const auto& rules = ruleset->tables[0].chains[0].rules;
  ASSERT_EQ(rules.size(), 5u);
  EXPECT_EQ(std::get<Unmodelled>(rules[1].statements[0]).what, "xt match conntrack");
}

TEST(NftJsonTest, FibDaddrTypeLocalAndOifname) {
  // Docker's rules as nftables prints them natively (docker_native.nft).
  auto ruleset = ParseNftJson(ReadFixture("docker_native.json"));
  ASSERT_TRUE(ruleset) << ruleset.error().message;
  const Table& nat = ruleset->tables[0];
  const auto& jump = nat.chains[nat.chain_index.at("PREROUTING")].rules[0].statements;
  ASSERT_TRUE(std::holds_alternative<Match>(jump[0]));
  EXPECT_EQ(std::get<Match>(jump[0]).key, MatchKey::kDaddrLocal);
  EXPECT_FALSE(std::get<Match>(jump[0]).negate);
  const Table& filter = ruleset->tables[1];
  const auto& forward = filter.chains[filter.chain_index.at("FORWARD")].rules[3].statements;
  ASSERT_TRUE(std::holds_alternative<Match>(forward[0]));
  EXPECT_EQ(std::get<Match>(forward[0]).key, MatchKey::kOifname);
  EXPECT_EQ(std::get<Match>(forward[0]).right->front().name, "docker0");
}

TEST(NftJsonTest, OtherFibFormsAreUnmodelled) {
  const auto statement = [](const char* match) {
    const std::string text = std::string(R"({"nftables": [{"table": {"family": "ip", "name": "t"}},
      {"chain": {"family": "ip", "table": "t", "name": "c"}},
      {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": )") +
                             match + "}]}}]}";
    auto ruleset = ParseNftJson(text);
    EXPECT_TRUE(ruleset);
    return ruleset ? ruleset->tables[0].chains[0].rules[0].statements[0] : Statement{};
  };
  const auto negated = statement(
      R"({"op": "!=", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"})");
  ASSERT_TRUE(std::holds_alternative<Match>(negated));
  EXPECT_TRUE(std::get<Match>(negated).negate);
  for (
      const char* other :
      {R"({"op": "==", "left": {"fib": {"result": "type", "flags": ["saddr"]}}, "right": "local"})",
       R"({"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr", "iif"]}},
            "right": "local"})",
       R"({"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}},
            "right": {"set": ["local", "broadcast"]}})",
       R"({"op": "==", "left": {"fib": {"result": "oif", "flags": ["daddr"]}}, "right": "eth0"})"}) {
    const auto unmodelled = statement(other);
    ASSERT_TRUE(std::holds_alternative<Unmodelled>(unmodelled)) << other;
    EXPECT_EQ(std::get<Unmodelled>(unmodelled).what, "fib (other than daddr type local)");
  }
}

TEST(NftJsonTest, RejectsHostileInput) {
  EXPECT_FALSE(ParseNftJson("not json"));
  EXPECT_FALSE(ParseNftJson("{\"other\": []}"));
  EXPECT_FALSE(ParseNftJson(std::string(kMaxRulesetBytes + 1, ' ')));
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  const auto nested = ParseNftJson("{\"nftables\": " + deep + "}");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("deeper"), std::string::npos);
  // Wrong types where objects are expected are skipped or refused, never thrown.
  EXPECT_TRUE(ParseNftJson(R"({"nftables": [1, "x", {"table": 5}, {"chain": []}]})") || true);
  EXPECT_FALSE(ParseNftJson(R"({"nftables": [{"rule": {"family": "ip", "table": "t"}}]})"));
}

TEST(NftJsonTest, EmptyRuleset) {
  auto ruleset = ParseNftJson(R"({"nftables": [{"metainfo": {"version": "1.0.6"}}]})");
  ASSERT_TRUE(ruleset);
  EXPECT_TRUE(ruleset->tables.empty());
}

}  // namespace
}  // namespace portwarden::firewall
