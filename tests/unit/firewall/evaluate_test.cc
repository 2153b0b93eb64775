#include "agent/firewall/evaluate.h"

#include <gtest/gtest.h>

#include "agent/firewall/nft_json.h"
#include "tests/unit/firewall/fixture.h"

namespace portwarden::firewall {
namespace {

constexpr U128 kHost = 0xcb007101;  // 203.0.113.1, the namespace's own address

class EvaluateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = ParseNftJson(testing::ReadFixture("filter_dnat.json"));
    ASSERT_TRUE(parsed) << parsed.error().message;
    ruleset_ = std::move(*parsed);
  }

  Evaluation Run(Protocol protocol, std::uint16_t port, bool from_public, bool ipv6 = false) {
    PacketClass packets;
    packets.ipv6 = ipv6;
    packets.protocol = protocol;
    packets.port = port;
    packets.sources = from_public ? PublicSources(ipv6) : PrivateSources(ipv6);
    const U128 self = ipv6 ? (U128{0x20010db8} << 96) | 1 : kHost;
    packets.destinations = IntervalSet({{self, self}});
    packets.interfaces = {"veth0"};
    return Evaluate(ruleset_, packets);
  }

  Ruleset ruleset_;
};

// Every expectation below is read off filter_dnat.nft by hand.
TEST_F(EvaluateTest, OpenPortAcceptedFromEverywhere) {
  EXPECT_EQ(Run(Protocol::kTcp, 443, true).verdict, Verdict::kAccept);
  EXPECT_EQ(Run(Protocol::kTcp, 443, false).verdict, Verdict::kAccept);
}

TEST_F(EvaluateTest, AdminPortOnlyFromPrivateSources) {
  EXPECT_EQ(Run(Protocol::kTcp, 8443, true).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kTcp, 8443, false).verdict, Verdict::kAccept);
  EXPECT_EQ(Run(Protocol::kTcp, 9050, true).verdict, Verdict::kDrop);  // named set range
  EXPECT_EQ(Run(Protocol::kTcp, 9050, false).verdict, Verdict::kAccept);
  EXPECT_EQ(Run(Protocol::kTcp, 8443, true, true).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kTcp, 8443, false, true).verdict, Verdict::kAccept);  // fd00::/8
}

TEST_F(EvaluateTest, JumpAndReturn) {
  // tcp dport {22, 80} jump users; users returns for saddr != 10/8 and accepts the rest.
  EXPECT_EQ(Run(Protocol::kTcp, 22, true).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kTcp, 22, false).verdict, Verdict::kAccept);
}

TEST_F(EvaluateTest, DropRejectAndPolicy) {
  EXPECT_EQ(Run(Protocol::kUdp, 5005, true).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kTcp, 7000, false).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kTcp, 1234, false).verdict, Verdict::kDrop);
  EXPECT_EQ(Run(Protocol::kUdp, 443, true).verdict, Verdict::kDrop);  // tcp dport: not UDP
}

TEST_F(EvaluateTest, UnmodelledMatchIsUnknownAndNamed) {
  const auto result = Run(Protocol::kTcp, 6000, true);
  EXPECT_EQ(result.verdict, Verdict::kUnknown);
  EXPECT_EQ(result.reason, "meta mark");
}

TEST_F(EvaluateTest, LoopbackInterfaceRuleDoesNotOpenToOutside) {
  PacketClass packets;
  packets.protocol = Protocol::kTcp;
  packets.port = 1234;
  packets.sources = PublicSources(false);
  packets.destinations = IntervalSet({{kHost, kHost}});
  packets.interfaces = {"lo"};  // only for this test: `iif "lo" accept` then applies
  EXPECT_EQ(Evaluate(ruleset_, packets).verdict, Verdict::kAccept);
}

TEST_F(EvaluateTest, EmptyRulesetAccepts) {
  PacketClass packets;
  packets.port = 8443;
  packets.sources = PublicSources(false);
  packets.destinations = IntervalSet({{kHost, kHost}});
  packets.interfaces = {"eth0"};
  EXPECT_EQ(Evaluate(Ruleset{}, packets).verdict, Verdict::kAccept);
}

TEST_F(EvaluateTest, PublicationsOfTheNatChain) {
  const auto publications = Publications(ruleset_);
  ASSERT_EQ(publications.size(), 1u);
  EXPECT_EQ(publications[0].public_port, 8080);
  EXPECT_EQ(publications[0].port, 80);
  EXPECT_EQ(publications[0].address, U128{0x0ac80002});
}

TEST(EvaluateClassesTest, ClassesAreDisjoint) {
  for (const bool ipv6 : {false, true}) {
    EXPECT_TRUE(PublicSources(ipv6).Intersect(PrivateSources(ipv6)).empty());
    EXPECT_FALSE(PublicSources(ipv6).empty());
  }
  EXPECT_TRUE(PublicSources(false).Contains(0xcb007102));  // 203.0.113.2, the tests' peer
  EXPECT_FALSE(PublicSources(false).Contains(0x0a000001));
}

}  // namespace
}  // namespace portwarden::firewall
