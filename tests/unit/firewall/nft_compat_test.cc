// The rule dump parser on dumps built here in the kernel's layout, and the JSON parser's use of
// the compat blobs on the captured iptables-nft listing of Docker's rules
// (docker_iptables_nft.json; its handles are those `nft -a list ruleset` showed).
#include "agent/firewall/nft_compat.h"

#include <arpa/inet.h>  // <netinet/in.h> before the kernel headers
#include <endian.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netlink.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "agent/firewall/evaluate.h"
#include "agent/firewall/nft_json.h"
#include "tests/unit/firewall/fixture.h"

namespace portwarden::firewall {
namespace {

using Bytes = std::vector<std::byte>;

template <typename T>
Bytes Raw(const T& value) {
  Bytes out(sizeof(T));
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

Bytes Text(const std::string& text) {
  Bytes out(text.size() + 1);
  std::memcpy(out.data(), text.c_str(), text.size() + 1);
  return out;
}

Bytes Attr(std::uint16_t type, const Bytes& value) {
  nlattr header{static_cast<std::uint16_t>(sizeof(nlattr) + value.size()), type};
  Bytes out = Raw(header);
  out.insert(out.end(), value.begin(), value.end());
  out.resize((out.size() + 3) & ~std::size_t{3});
  return out;
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

Bytes Message(std::uint16_t type, std::uint16_t flags, const Bytes& body, std::uint16_t gen = 7) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = flags;
  header.nlmsg_seq = 1;
  nfgenmsg nfgen{NFPROTO_IPV4, NFNETLINK_V0, htons(gen)};
  Bytes payload = Concat({Raw(nfgen), body});
  header.nlmsg_len = static_cast<std::uint32_t>(sizeof(header) + payload.size());
  return Concat({Raw(header), payload});
}

// A NEWRULE with one native expression and one compat `kind` ("match"/"target").
Bytes Rule(const std::string& chain,
           std::uint64_t handle,
           const char* kind,
           const Bytes& info,
           std::uint16_t gen = 7) {
  const Bytes compat =
      Concat({Attr(NFTA_EXPR_NAME, Text(kind)),
              Attr(NLA_F_NESTED | NFTA_EXPR_DATA,
                   Concat({Attr(NFTA_MATCH_NAME, Text("addrtype")),
                           Attr(NFTA_MATCH_REV, Raw(htonl(1))), Attr(NFTA_MATCH_INFO, info)}))});
  const Bytes native = Attr(NFTA_EXPR_NAME, Text("counter"));
  const Bytes list = Concat(
      {Attr(NLA_F_NESTED | NFTA_LIST_ELEM, native), Attr(NLA_F_NESTED | NFTA_LIST_ELEM, compat)});
  return Message((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE, NLM_F_MULTI,
                 Concat({Attr(NFTA_RULE_TABLE, Text("nat")), Attr(NFTA_RULE_CHAIN, Text(chain)),
                         Attr(NFTA_RULE_HANDLE, Raw(htobe64(handle))),
                         Attr(NLA_F_NESTED | NFTA_RULE_EXPRESSIONS, list)}),
                 gen);
}

Bytes Done() {
  return Message(NLMSG_DONE, NLM_F_MULTI, Raw(0));
}

TEST(NftCompat, DumpGivesEachRulesCompatExpressions) {
  xt_addrtype_info_v1 info{0, XT_ADDRTYPE_LOCAL, 0};
  const Bytes dump = Concat({Rule("PREROUTING", 6, "match", Raw(info)), Done()});
  CompatExpressions out;
  const auto done = ParseRuleDump(dump, 1, out);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(*done);
  EXPECT_EQ(out.generation, 7);
  const auto& rule = out.rules.at({NFPROTO_IPV4, "nat", "PREROUTING", 6});
  ASSERT_EQ(rule.size(), 1U);
  EXPECT_EQ(rule[0].name, "addrtype");
  EXPECT_EQ(rule[0].revision, 1);
  EXPECT_FALSE(rule[0].target);
  EXPECT_EQ(rule[0].info.size(), sizeof(info));
}

TEST(NftCompat, InconsistentOrMalformedDumpsAreErrors) {
  const Bytes info(8);
  CompatExpressions two;
  EXPECT_FALSE(ParseRuleDump(
      Concat({Rule("A", 1, "match", info, 7), Rule("B", 2, "match", info, 8)}), 1, two));
  CompatExpressions interrupted;
  Bytes intr = Rule("A", 1, "match", info);
  nlmsghdr header;
  std::memcpy(&header, intr.data(), sizeof(header));
  header.nlmsg_flags |= NLM_F_DUMP_INTR;
  std::memcpy(intr.data(), &header, sizeof(header));
  EXPECT_FALSE(ParseRuleDump(intr, 1, interrupted));
  // Every truncation of a valid dump is refused or read as "not done yet", never overrun.
  const Bytes dump = Concat({Rule("A", 1, "match", info), Done()});
  for (std::size_t n = 0; n < dump.size(); ++n) {
    CompatExpressions partial;
    const auto done = ParseRuleDump({dump.data(), n}, 1, partial);
    EXPECT_TRUE(!done || !*done) << n;
  }
}

TEST(NftCompat, JsonXtExpressionsTranslatedFromTheBlobs) {
  const std::string json = testing::ReadFixture("docker_iptables_nft.json");
  auto bare = ParseNftJson(json);
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_TRUE(Publications(*bare).empty());  // `xt target DNAT` alone says nothing
  CompatExpressions compat;
  xt_addrtype_info_v1 addrtype{0, XT_ADDRTYPE_LOCAL, 0};
  compat.rules[{NFPROTO_IPV4, "nat", "PREROUTING", 6}] = {{false, "addrtype", 1, Raw(addrtype)}};
  nf_nat_range2 range{};
  range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
  range.min_addr.ip = range.max_addr.ip = htonl(0xac110002);  // 172.17.0.2
  range.min_proto.all = range.max_proto.all = htons(80);
  compat.rules[{NFPROTO_IPV4, "nat", "DOCKER", 11}] = {{true, "DNAT", 2, Raw(range)}};
  auto ruleset = ParseNftJson(json, &compat);
  ASSERT_TRUE(ruleset) << ruleset.error().message;
  const auto publications = Publications(*ruleset);
  ASSERT_EQ(publications.size(), 1U);
  EXPECT_EQ(publications[0].public_port, 8080);
  EXPECT_EQ(publications[0].address, U128{0xac110002});
  EXPECT_EQ(publications[0].port, 80);
  const Table& nat = ruleset->tables[0];
  const auto& jump = nat.chains[nat.chain_index.at("PREROUTING")].rules[0].statements;
  EXPECT_EQ(std::get<Match>(jump[0]).key, MatchKey::kDaddrLocal);
  // A blob of another name than the JSON's stays unmodelled.
  compat.rules[{NFPROTO_IPV4, "nat", "PREROUTING", 6}][0].name = "mark";
  auto mismatched = ParseNftJson(json, &compat);
  ASSERT_TRUE(mismatched);
  const Table& nat2 = mismatched->tables[0];
  EXPECT_EQ(
      std::get<Unmodelled>(nat2.chains[nat2.chain_index.at("PREROUTING")].rules[0].statements[0])
          .what,
      "xt match addrtype");
}

TEST(NftCompat, KernelWrittenDumpOfDockersRules) {
  // The dump the kernel gave for docker_iptables_nft.txt (the seed's first 4 bytes are the
  // sequence number), with the JSON listing of the same rules in a namespace of its own.
  std::ifstream in(PORTWARDEN_RULE_DUMP_SEED, std::ios::binary);
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(raw.size(), 4U);
  const std::span<const std::byte> dump(reinterpret_cast<const std::byte*>(raw.data()) + 4,
                                        raw.size() - 4);
  CompatExpressions compat;
  const auto done = ParseRuleDump(dump, 1, compat);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_TRUE(*done);
  auto ruleset = ParseNftJson(testing::ReadFixture("docker_iptables_nft.json"), &compat);
  ASSERT_TRUE(ruleset) << ruleset.error().message;
  const auto publications = Publications(*ruleset);
  ASSERT_EQ(publications.size(), 1U);
  EXPECT_EQ(publications[0].public_port, 8080);
  EXPECT_EQ(publications[0].address, U128{0xac110002});
  EXPECT_EQ(publications[0].port, 80);
  // Through the host: 198.20.0.1 on eth0, 172.17.0.2 behind docker0.
  PacketClass packets;
  packets.port = 8080;
  packets.sources = PublicSources(false);
  packets.destinations = IntervalSet({{0xc6140001, 0xc6140001}});
  packets.local = packets.destinations;
  packets.interfaces = {"eth0", "docker0"};
  packets.dnat = DnatTarget{IntervalSet({{0xac110002, 0xac110002}}), 80};
  packets.output_interface = "docker0";
  EXPECT_EQ(Evaluate(*ruleset, packets).verdict, Verdict::kAccept);
}

}  // namespace
}  // namespace portwarden::firewall
