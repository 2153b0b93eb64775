// The x_tables translation on images built here in the kernel's layout (xt_builder.h), judged
// by the same evaluator as nftables rulesets; each expectation is read off the rules by hand.
#include "agent/firewall/xt_image.h"

#include <arpa/inet.h>  // <netinet/in.h> before the kernel headers
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "agent/firewall/evaluate.h"
#include "agent/firewall/legacy_tables.h"
#include "agent/firewall/nft_json.h"
#include "agent/firewall/xt_reader.h"
#include "tests/unit/firewall/xt_builder.h"

namespace portwarden::firewall::testing {
namespace {

constexpr U128 kSelf = 0xcb007101;  // 203.0.113.1

XtExt CtState(unsigned states, bool invert = false) {
  xt_conntrack_mtinfo3 info{};
  info.match_flags = XT_CONNTRACK_STATE;
  info.invert_flags = invert ? XT_CONNTRACK_STATE : 0;
  info.state_mask = static_cast<std::uint16_t>(states);
  return Ext("conntrack", 3, info);
}

constexpr unsigned kNew = 1U << 3, kEstablished = 1U << 1, kRelated = 1U << 2;

Evaluation Judge(const Ruleset& ruleset,
                 std::uint16_t port,
                 bool from_public,
                 const std::string& interface = "eth0",
                 bool ipv6 = false) {
  PacketClass packets;
  packets.ipv6 = ipv6;
  packets.port = port;
  packets.sources = from_public ? PublicSources(ipv6) : PrivateSources(ipv6);
  const U128 self = ipv6 ? (U128{0x20010db8} << 96) | 1 : kSelf;
  packets.destinations = IntervalSet({{self, self}});
  packets.interfaces = {interface};
  return Evaluate(ruleset, packets);
}

// -P INPUT DROP; ESTABLISHED,RELATED accept; -i lo accept; --dport 443 accept;
// -s 10/8 --dport 8443 accept; --dport 2222 -j trusted; -m multiport --dports 9001,9100:9110
// accept; -i veth+ --dport 7000 accept; ! -i eth+ --dport 7001 accept;
// -m conntrack --ctstate NEW --dport 7002 accept; -m limit --dport 6000 accept.
// trusted: ! -s 10/8 -j RETURN; -j ACCEPT.
XtTableImage Filter() {
  XtBuilder b;
  b.Hook(NF_INET_LOCAL_IN);
  b.Add({}, {CtState(kEstablished | kRelated)}, Standard(kAccept));
  b.Add({.iniface = "lo"}, {}, Standard(kAccept));
  b.Add({.proto = 6}, {TcpDport(443, 443)}, Standard(kAccept));
  b.Add({.src = kTen, .smsk = kSlash8, .proto = 6}, {TcpDport(8443, 8443)}, Standard(kAccept));
  const std::size_t jump = b.Add({.proto = 6}, {TcpDport(2222, 2222)}, Standard(0));
  xt_multiport_v1 multi{};
  multi.flags = XT_MULTIPORT_DESTINATION;
  multi.count = 3;
  multi.ports[0] = 9001, multi.ports[1] = 9100, multi.ports[2] = 9110;
  multi.pflags[1] = 1;
  b.Add({.proto = 6}, {Ext("multiport", 1, multi)}, Standard(kAccept));
  b.Add({.iniface = "veth+", .proto = 6}, {TcpDport(7000, 7000)}, Standard(kAccept));
  b.Add({.iniface = "eth+", .proto = 6, .inv_in = true}, {TcpDport(7001, 7001)}, Standard(kAccept));
  b.Add({.proto = 6}, {TcpDport(7002, 7002), CtState(kNew)}, Standard(kAccept));
  b.Add({.proto = 6}, {TcpDport(6000, 6000), Ext("limit", 0, std::array<std::byte, 32>{})},
        Standard(kAccept));
  b.Policy(NF_INET_LOCAL_IN, kDrop);
  b.Hook(NF_INET_FORWARD);
  b.Policy(NF_INET_FORWARD, kAccept);
  b.Hook(NF_INET_LOCAL_OUT);
  b.Policy(NF_INET_LOCAL_OUT, kAccept);
  const std::size_t trusted = b.Chain("trusted");
  b.Add({.src = kTen, .smsk = kSlash8, .inv_src = true}, {}, Standard(kReturn));
  b.Add({}, {}, Standard(kAccept));
  b.Add({}, {}, Standard(kReturn));
  b.SetVerdict(jump, static_cast<int>(trusted));
  return b.Build("filter");
}

TEST(XtImage, FilterTableAsWritten) {
  const Ruleset ruleset = Translate({Filter()});
  ASSERT_EQ(ruleset.tables.size(), 1U);
  const Table& table = ruleset.tables[0];
  EXPECT_EQ(table.family, TableFamily::kIp);
  ASSERT_TRUE(table.chain_index.contains("INPUT") && table.chain_index.contains("trusted"));
  const Chain& input = table.chains[table.chain_index.at("INPUT")];
  EXPECT_TRUE(input.base && input.policy_drop);
  EXPECT_EQ(input.hook, Hook::kInput);
  EXPECT_EQ(input.priority, 0);
  EXPECT_EQ(input.rules.size(), 10U);

  const struct {
    std::uint16_t port;
    Verdict from_public, from_private;
  } kCases[] = {
      {443, Verdict::kAccept, Verdict::kAccept},  {8443, Verdict::kDrop, Verdict::kAccept},
      {2222, Verdict::kDrop, Verdict::kAccept},   {9001, Verdict::kAccept, Verdict::kAccept},
      {9105, Verdict::kAccept, Verdict::kAccept}, {9002, Verdict::kDrop, Verdict::kDrop},
      {7000, Verdict::kDrop, Verdict::kDrop},     {7001, Verdict::kDrop, Verdict::kDrop},
      {7002, Verdict::kAccept, Verdict::kAccept}, {6000, Verdict::kUnknown, Verdict::kUnknown},
      {1234, Verdict::kDrop, Verdict::kDrop},
  };

  for (const auto& c : kCases) {
    EXPECT_EQ(Judge(ruleset, c.port, true).verdict, c.from_public)
        << c.port << " " << Judge(ruleset, c.port, true).reason;
    EXPECT_EQ(Judge(ruleset, c.port, false).verdict, c.from_private) << c.port;
  }
  EXPECT_EQ(Judge(ruleset, 6000, true).reason, "xt match limit");
  EXPECT_EQ(Judge(ruleset, 7000, true, "veth3").verdict, Verdict::kAccept);      // veth+
  EXPECT_EQ(Judge(ruleset, 7001, true, "wlan0").verdict, Verdict::kAccept);      // ! -i eth+
  EXPECT_EQ(Judge(ruleset, 443, true, "eth0", true).verdict, Verdict::kAccept);  // no IPv6 table
}

TEST(XtImage, Ip6TableAndGoto) {
  XtBuilder b(/*ipv6=*/true);
  b.Hook(NF_INET_LOCAL_IN);
  const std::size_t jump = b.Add({.proto = 6, .is_goto = true}, {TcpDport(80, 90)}, Standard(0));
  b.Add({.proto = 6}, {TcpDport(85, 85)}, Standard(kAccept));  // skipped: goto never returns
  b.Policy(NF_INET_LOCAL_IN, kDrop);
  const std::size_t chain = b.Chain("web");
  b.Add({.proto = 6}, {TcpDport(85, 85, /*invert=*/true)}, Standard(kAccept));
  b.Add({}, {}, Standard(kReturn));
  b.SetVerdict(jump, static_cast<int>(chain));
  const Ruleset ruleset = Translate({b.Build("filter")});
  EXPECT_EQ(ruleset.tables.at(0).family, TableFamily::kIp6);
  EXPECT_EQ(Judge(ruleset, 80, true, "eth0", true).verdict, Verdict::kAccept);
  EXPECT_EQ(Judge(ruleset, 85, true, "eth0", true).verdict, Verdict::kDrop);
  EXPECT_EQ(Judge(ruleset, 91, true, "eth0", true).verdict, Verdict::kDrop);
}

// `ip6tables -p all` writes proto 0 with IP6T_F_PROTO: ip6_packet_match lets every packet
// through (also for `! -p all`, which the kernel does not tell apart for a non-zero header).
TEST(XtImage, Ip6ProtocolAllMatchesEveryPacket) {
  for (const bool inverted : {false, true}) {
    SCOPED_TRACE(inverted ? "! -p all" : "-p all");
    XtBuilder b(/*ipv6=*/true);
    b.Hook(NF_INET_LOCAL_IN);
    b.Add({.inv_proto = inverted, .proto_all = true}, {}, Standard(kAccept));
    b.Policy(NF_INET_LOCAL_IN, kDrop);
    const Ruleset ruleset = Translate({b.Build("filter")});
    EXPECT_EQ(Judge(ruleset, 80, true, "eth0", true).verdict, Verdict::kAccept);
    EXPECT_EQ(Judge(ruleset, 53, false, "eth0", true).verdict, Verdict::kAccept);
  }
}

// Every table of both families is held at once: one budget bounds them together.
TEST(XtImage, NamespaceBudgetBoundsAllTablesTogether) {
  std::size_t budget = kMaxXtNamespaceBytes;
  ASSERT_TRUE(TakeXtBudget(kMaxXtTableBytes, budget, "filter"));   // ipv4 filter
  ASSERT_TRUE(TakeXtBudget(kMaxXtTableBytes - 1, budget, "nat"));  // ipv4 nat
  EXPECT_EQ(budget, 1U);
  const auto over = TakeXtBudget(2, budget, "filter");  // ipv6 filter: over 32 MiB in all
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, kXtBudgetCode);
  EXPECT_NE(over.error().message.find("32 MiB in all"), std::string::npos);
  EXPECT_EQ(budget, 1U);  // a refused table takes nothing
  EXPECT_TRUE(TakeXtBudget(1, budget, "raw"));
  EXPECT_EQ(budget, 0U);
}

XtTableImage Nat() {
  XtBuilder b;
  b.Hook(NF_INET_PRE_ROUTING);
  b.Add({.proto = 6}, {TcpDport(8080, 8080)}, Dnat(0x0ac80002, 80));  // 10.200.0.2:80
  b.Policy(NF_INET_PRE_ROUTING, kAccept);
  for (unsigned hook : {NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING}) {
    b.Hook(hook);
    b.Policy(hook, kAccept);
  }
  return b.Build("nat");
}

TEST(XtImage, DnatPublishesAPort) {
  const Ruleset ruleset = Translate({Nat()});
  const Chain& prerouting = ruleset.tables.at(0).chains.at(0);
  EXPECT_EQ(prerouting.type, "nat");
  EXPECT_EQ(prerouting.priority, -100);
  const auto publications = Publications(ruleset);
  ASSERT_EQ(publications.size(), 1U);
  EXPECT_EQ(publications[0].public_port, 8080);
  EXPECT_EQ(publications[0].address, U128{0x0ac80002});
  EXPECT_EQ(publications[0].port, 80);
}

TEST(XtImage, UnmodelledTargetsAndOptionsAreNamed) {
  XtBuilder b;
  b.Hook(NF_INET_LOCAL_IN);
  xt_tcp sport{};
  sport.spts[0] = 1, sport.spts[1] = 1023, sport.dpts[1] = 0xffff;
  b.Add({.proto = 6}, {Ext("tcp", 0, sport)}, Standard(kAccept));
  b.Add({.proto = 6}, {TcpDport(22, 22)}, Ext("MARK", 2, std::array<std::uint32_t, 2>{1, 1}));
  b.Add({.smsk = 0xff00ff00}, {}, Standard(kAccept));
  b.Policy(NF_INET_LOCAL_IN, kDrop);
  const Ruleset ruleset = Translate({b.Build("filter")});
  EXPECT_EQ(Judge(ruleset, 22, true).reason, "xt match tcp sport");
  const auto& rules = ruleset.tables[0].chains[0].rules;
  EXPECT_EQ(std::get<Unmodelled>(rules[1].statements.back()).what, "xt target MARK");
  EXPECT_EQ(std::get<Unmodelled>(rules[2].statements[0]).what,
            "xt address mask that is not a prefix");
}

TEST(XtImage, StructuralViolationsAreErrors) {
  std::size_t rules = 0;
  XtTableImage image = Filter();
  image.underflow[NF_INET_LOCAL_IN] = 3;  // not an entry
  EXPECT_FALSE(ParseXtTable(image, rules));
  image = Filter();
  image.underflow[NF_INET_LOCAL_IN] = image.hook_entry[NF_INET_LOCAL_IN];  // a rule, not a policy
  EXPECT_FALSE(ParseXtTable(image, rules));
  image = Filter();
  image.name = "broute";
  EXPECT_FALSE(ParseXtTable(image, rules));
  image = Filter();
  image.entries.resize(image.entries.size() - 8);
  EXPECT_FALSE(ParseXtTable(image, rules));
}

// Every truncation and many single-byte corruptions of a real-shaped image: an error or a
// table (a cut after an ERROR entry is a shorter, valid table), never a crash or an unbounded
// walk (ASan runs this too).
TEST(XtImage, TruncatedAndHostileImagesAreBounded) {
  const XtTableImage good = Filter();
  for (std::size_t size = 0; size < good.entries.size(); ++size) {
    XtTableImage cut = good;
    cut.entries.resize(size);
    std::size_t rules = 0;
    const auto table = ParseXtTable(cut, rules);
    if (size % 8 != 0) {  // entries are 8-byte multiples: no entry can end there
      EXPECT_FALSE(table) << size;
    }
  }
  std::uint32_t seed = 1;
  for (int i = 0; i < 4000; ++i) {
    XtTableImage bad = good;
    seed = seed * 1103515245U + 12345U;
    bad.entries[(seed >> 8) % bad.entries.size()] = std::byte(seed >> 24);
    std::size_t rules = 0;
    if (auto table = ParseXtTable(bad, rules)) {
      Ruleset ruleset;
      ruleset.tables.push_back(std::move(*table));
      ruleset.rule_count = rules;
      const Verdict v = Judge(ruleset, 443, true).verdict;
      EXPECT_TRUE(v == Verdict::kAccept || v == Verdict::kDrop || v == Verdict::kUnknown);
    }
  }
}

TEST(XtImage, CountersAreZeroedForTheDigest) {
  XtTableImage a = Filter(), b = Filter();
  EXPECT_NE(a.entries, std::vector<std::byte>());
  ZeroXtCounters(a.entries, false);
  EXPECT_NE(a.entries, b.entries);
  ZeroXtCounters(b.entries, false);
  EXPECT_EQ(a.entries, b.entries);
  LegacyRead one{std::vector<XtTableImage>{a}, std::vector<XtTableImage>{}, {}};
  LegacyRead two = one;
  EXPECT_EQ(LegacyDigest(one), LegacyDigest(two));
  std::get<0>(std::tie(two.v4->at(0).entries.back())) = std::byte{1};
  EXPECT_NE(LegacyDigest(one), LegacyDigest(two));
}

// nftables accepts 8443, the legacy filter table drops it: both hooks run, so drop.
TEST(XtImage, BothNftablesAndLegacyMustAccept) {
  auto nft = ParseNftJson(R"({"nftables": [{"table": {"family": "inet", "name": "t"}},
    {"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter",
               "hook": "input", "prio": 0, "policy": "drop"}},
    {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [
      {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                 "right": {"set": [443, 8443]}}}, {"accept": null}]}}]})");
  ASSERT_TRUE(nft);
  NamespaceRuleset both{std::move(*nft), "", ""};
  const LegacyRead legacy{std::vector<XtTableImage>{Filter()}, std::vector<XtTableImage>{}, {}};
  AddLegacyTables(legacy, both);
  ASSERT_TRUE(both.ruleset);
  EXPECT_EQ(both.ruleset->tables.size(), 2U);
  EXPECT_EQ(Judge(*both.ruleset, 443, true).verdict, Verdict::kAccept);
  EXPECT_EQ(Judge(*both.ruleset, 8443, true).verdict, Verdict::kDrop);
  EXPECT_EQ(Judge(*both.ruleset, 8443, false).verdict, Verdict::kAccept);
  EXPECT_EQ(Judge(*both.ruleset, 9001, true).verdict, Verdict::kDrop);  // nftables drops it
  NamespaceRuleset failed{Ruleset{}, "", ""};
  AddLegacyTables({Fail("legacy iptables filter: get info: Operation not permitted"),
                   std::vector<XtTableImage>{},
                   {}},
                  failed);
  EXPECT_NE(failed.legacy_v4_error.find("Operation not permitted"), std::string::npos);
  EXPECT_TRUE(failed.legacy_v6_error.empty());
}

}  // namespace
}  // namespace portwarden::firewall::testing

namespace portwarden::firewall::testing {
namespace {

// Images the kernel itself wrote (iptables-legacy rules read back with IPT_SO_GET_ENTRIES by
// tests/fuzz/make_seeds.py, the rules listed there), in the fuzz target's input format.
XtTableImage Captured(const std::string& name) {
  std::ifstream in(std::string(PORTWARDEN_XT_SEEDS) + "/seed-" + name, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kHeader = 1 + 4 * (1 + 2 * kXtHooks);
  XtTableImage image;
  if (bytes.size() < kHeader) {
    ADD_FAILURE() << "no captured image " << name;
    return image;
  }
  image.ipv6 = (bytes[0] & 1) != 0;
  image.name = (bytes[0] >> 1) == 0 ? "filter" : "nat";
  std::memcpy(&image.valid_hooks, bytes.data() + 1, 4);
  std::memcpy(image.hook_entry.data(), bytes.data() + 5, 4 * kXtHooks);
  std::memcpy(image.underflow.data(), bytes.data() + 5 + 4 * kXtHooks, 4 * kXtHooks);
  const auto* entries = reinterpret_cast<const std::byte*>(bytes.data() + kHeader);
  image.entries.assign(entries, entries + (bytes.size() - kHeader));
  return image;
}

TEST(XtImageCaptured, KernelWrittenFilterTables) {
  for (const bool ipv6 : {false, true}) {
    SCOPED_TRACE(ipv6 ? "ipv6" : "ipv4");
    const Ruleset ruleset = Translate({Captured(ipv6 ? "ipv6-filter" : "ipv4-filter")});
    const auto judge = [&](std::uint16_t port, bool from_public, const char* interface) {
      return Judge(ruleset, port, from_public, interface, ipv6);
    };
    EXPECT_EQ(judge(443, true, "veth0").verdict, Verdict::kAccept);    // -i veth+
    EXPECT_EQ(judge(2222, true, "veth0").verdict, Verdict::kUnknown);  // returns, then limit
    EXPECT_EQ(judge(2222, false, "veth0").verdict, Verdict::kAccept);  // users: 10/8, fd00::/8
    EXPECT_EQ(judge(9005, false, "veth0").verdict, Verdict::kAccept);  // multiport range, goto
    EXPECT_EQ(judge(9005, true, "veth0").verdict, Verdict::kDrop);     // goto: RETURN = policy
    const auto limited = judge(443, true, "eth0");                     // not veth+: on to -m limit
    EXPECT_EQ(limited.verdict, Verdict::kUnknown);
    EXPECT_EQ(limited.reason, "xt match limit");
  }
}

// `ip6tables-legacy -P INPUT DROP; -A INPUT -p all -j ACCEPT`: the kernel holds proto 0 with
// IP6T_F_PROTO, and accepts everything.
TEST(XtImageCaptured, KernelWrittenIp6ProtocolAll) {
  const XtTableImage image = Captured("ipv6-proto-all-filter");
  ASSERT_TRUE(image.ipv6);
  const Ruleset ruleset = Translate({image});
  EXPECT_EQ(Judge(ruleset, 443, true, "eth0", true).verdict, Verdict::kAccept);
  EXPECT_EQ(Judge(ruleset, 5353, false, "veth0", true).verdict, Verdict::kAccept);
}

TEST(XtImageCaptured, KernelWrittenNatTables) {
  for (const bool ipv6 : {false, true}) {
    const Ruleset ruleset = Translate({Captured(ipv6 ? "ipv6-nat" : "ipv4-nat")});
    const auto publications = Publications(ruleset);
    ASSERT_EQ(publications.size(), 1U) << ipv6;
    EXPECT_EQ(publications[0].public_port, 8080);
    EXPECT_EQ(publications[0].port, 80);
    EXPECT_EQ(publications[0].ipv6, ipv6);
    EXPECT_EQ(publications[0].address, ipv6 ? (U128{0xfd00} << 112) | 2 : U128{0x0a000002});
  }
}

}  // namespace
}  // namespace portwarden::firewall::testing
