// The NFT_MSG_GETGEN request and the parse of its answer, on hand-built messages (hostile
// ones included); ReadNftGeneration against the kernel where the test may.
#include "agent/firewall/nft_generation.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <cstring>

#include <gtest/gtest.h>

#include "tests/lib/privilege.h"

namespace portwarden::firewall {
namespace {

template <typename T>
void Append(std::vector<std::byte>& out, const T& value) {
  const auto* bytes = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

// One NEWGEN message: nfgenmsg, then NFTA_GEN_PROC_PID and NFTA_GEN_ID attributes.
std::vector<std::byte> NewGen(std::uint32_t sequence, std::uint32_t id, int type_override = -1) {
  std::vector<std::byte> out;
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_LENGTH(sizeof(nfgenmsg)) + 16;
  header.nlmsg_type = type_override >= 0 ? static_cast<std::uint16_t>(type_override)
                                         : (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN;
  header.nlmsg_seq = sequence;
  Append(out, header);
  Append(out, nfgenmsg{AF_UNSPEC, NFNETLINK_V0, 0});
  Append(out, nlattr{8, NFTA_GEN_PROC_PID});
  Append(out, htonl(1234));
  Append(out, nlattr{8, NFTA_GEN_ID});
  Append(out, htonl(id));
  return out;
}

TEST(NftGeneration, RequestIsGetGen) {
  const auto request = BuildGetGenRequest(7);
  ASSERT_EQ(request.size(), NLMSG_LENGTH(sizeof(nfgenmsg)));
  nlmsghdr header;
  std::memcpy(&header, request.data(), sizeof(header));
  EXPECT_EQ(header.nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN);
  EXPECT_EQ(header.nlmsg_seq, 7U);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST);
}

TEST(NftGeneration, ParsesTheIdAfterOtherAttributes) {
  const auto reply = NewGen(7, 0x01020304);
  EXPECT_EQ(ParseGenReply(reply, 7).value(), 0x01020304U);
}

TEST(NftGeneration, ErrorsAndHostileReplies) {
  std::vector<std::byte> error;
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_LENGTH(sizeof(nlmsgerr));
  header.nlmsg_type = NLMSG_ERROR;
  header.nlmsg_seq = 7;
  Append(error, header);
  Append(error, nlmsgerr{-EPERM, {}});
  const auto denied = ParseGenReply(error, 7);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, EPERM);

  EXPECT_FALSE(ParseGenReply(NewGen(8, 1), 7));              // another request's answer
  EXPECT_FALSE(ParseGenReply(NewGen(7, 1, NLMSG_NOOP), 7));  // not a NEWGEN
  auto truncated = NewGen(7, 1);
  truncated.resize(truncated.size() - 4);
  EXPECT_FALSE(ParseGenReply(truncated, 7));
  auto bad_attr = NewGen(7, 1);
  bad_attr[sizeof(nlmsghdr) + sizeof(nfgenmsg)] = std::byte{200};  // nla_len past the end
  EXPECT_FALSE(ParseGenReply(bad_attr, 7));
  EXPECT_FALSE(ParseGenReply({}, 7));
}

TEST(NftGeneration, KernelAnswersAndTheIdIsStable) {
  auto first = ReadNftGeneration();
  if (!first && first.error().code == EPERM) {
    PORTWARDEN_SKIP_UNPRIVILEGED("NFT_MSG_GETGEN needs CAP_NET_ADMIN");
  }
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_NE(first->netns_cookie, 0U);
  const auto second = ReadNftGeneration();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->netns_cookie, first->netns_cookie);
  EXPECT_GE(second->id, first->id);  // another process may commit in between, never back
}

}  // namespace
}  // namespace portwarden::firewall
