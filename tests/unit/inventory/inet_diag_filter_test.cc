#include "agent/inventory/inet_diag_filter.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include <cstring>

#include <gtest/gtest.h>

namespace portwarden::inventory {
namespace {

struct Op {
  int code, yes, no;
  bool operator==(const Op&) const = default;
};

std::vector<Op> Decode(const std::vector<std::byte>& code) {
  std::vector<Op> ops;
  for (std::size_t at = 0; at + 4 <= code.size(); at += 4) {
    inet_diag_bc_op op;
    std::memcpy(&op, code.data() + at, 4);
    ops.push_back({op.code, op.yes, op.no});
  }
  return ops;
}

TEST(InetDiagFilterTest, OnePortIsOneEqualityTest) {
  const std::vector<LocalPortRange> ports{{8443, 8443}};
  const auto code = BuildLocalPortFilter(ports);
  // Test, operand: yes falls through to the end (accept), no lands 4 past it (reject).
  EXPECT_EQ(Decode(code), (std::vector<Op>{{INET_DIAG_BC_S_EQ, 8, 12}, {0, 0, 8443}}));
  EXPECT_EQ(RunLocalPortFilter(code, 8443), true);
  EXPECT_EQ(RunLocalPortFilter(code, 8442), false);
}

TEST(InetDiagFilterTest, AlternativesAreJoinedByJumpsToTheEnd) {
  const std::vector<LocalPortRange> ports{{443, 443}, {8000, 8010}};
  const auto code = BuildLocalPortFilter(ports);
  // [0] S_EQ 443: no → 12 (the range test). [8] JMP: no → 28 - 8 = 20 (the end).
  // [12] S_GE 8000: no → 32 - 12 = 20 (4 past the end). [20] S_LE 8010: no → 32 - 20 = 12.
  EXPECT_EQ(Decode(code), (std::vector<Op>{{INET_DIAG_BC_S_EQ, 8, 12},
                                           {0, 0, 443},
                                           {INET_DIAG_BC_JMP, 4, 20},
                                           {INET_DIAG_BC_S_GE, 8, 20},
                                           {0, 0, 8000},
                                           {INET_DIAG_BC_S_LE, 8, 12},
                                           {0, 0, 8010}}));
  ASSERT_EQ(code.size(), 28U);
  for (const int port : {443, 8000, 8005, 8010}) {
    EXPECT_EQ(RunLocalPortFilter(code, static_cast<std::uint16_t>(port)), true) << port;
  }
  for (const int port : {0, 442, 444, 7999, 8011, 65535}) {
    EXPECT_EQ(RunLocalPortFilter(code, static_cast<std::uint16_t>(port)), false) << port;
  }
}

TEST(InetDiagFilterTest, ManyAlternativesPassTheAuditAndDecideEveryPort) {
  std::vector<LocalPortRange> ports;
  for (int p = 100; p < 2000; p += 7) {
    ports.push_back(
        {static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(p + (p % 3 == 0 ? 2 : 0))});
  }
  const auto normalized = NormalizePortRanges(ports);
  const auto code = BuildLocalPortFilter(normalized);
  for (int port = 0; port <= 2100; ++port) {
    bool want = false;
    for (const auto& r : normalized) {
      want = want || (port >= r.first && port <= r.last);
    }
    ASSERT_EQ(RunLocalPortFilter(code, static_cast<std::uint16_t>(port)), want) << port;
  }
}

TEST(InetDiagFilterTest, TheModelledAuditRefusesABrokenJump) {
  const std::vector<LocalPortRange> ports{{443, 443}, {8443, 8443}};
  auto code = BuildLocalPortFilter(ports);
  inet_diag_bc_op op;
  std::memcpy(&op, code.data(), 4);
  op.no = 10;  // not a multiple of 4
  std::memcpy(code.data(), &op, 4);
  EXPECT_EQ(RunLocalPortFilter(code, 443), std::nullopt);
  op.no = 4;  // into the operand of the test: not on the yes chain
  std::memcpy(code.data(), &op, 4);
  EXPECT_EQ(RunLocalPortFilter(code, 443), std::nullopt);
}

TEST(InetDiagFilterTest, NormalizeMergesSortsAndCaps) {
  const std::vector<LocalPortRange> ports{
      {8443, 8443}, {443, 443}, {444, 450}, {8443, 8444}, {9, 1}};
  const auto merged = NormalizePortRanges(ports);
  ASSERT_EQ(merged.size(), 2U);
  EXPECT_EQ(merged[0].first, 443);
  EXPECT_EQ(merged[0].last, 450);
  EXPECT_EQ(merged[1].first, 8443);
  EXPECT_EQ(merged[1].last, 8444);
  std::vector<LocalPortRange> many;
  for (int p = 1; p < 3000; p += 2) {
    many.push_back({static_cast<std::uint16_t>(p), static_cast<std::uint16_t>(p)});
  }
  const auto capped = NormalizePortRanges(many);
  ASSERT_EQ(capped.size(), 1U);
  EXPECT_EQ(capped[0].first, 1);
  EXPECT_EQ(capped[0].last, 2999);
}

TEST(InetDiagFilterTest, RequestCarriesTheBytecodeAttribute) {
  const std::vector<LocalPortRange> ports{{8443, 8443}};
  const auto code = BuildLocalPortFilter(ports);
  const auto request = BuildEstablishedRequest(code, 7);
  nlmsghdr header;
  std::memcpy(&header, request.data(), sizeof(header));
  EXPECT_EQ(header.nlmsg_type, TCPDIAG_GETSOCK);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(header.nlmsg_seq, 7U);
  EXPECT_EQ(header.nlmsg_len, request.size());
  inet_diag_req req;
  std::memcpy(&req, request.data() + NLMSG_HDRLEN, sizeof(req));
  EXPECT_EQ(req.idiag_states, 1U << 1);  // TCP_ESTABLISHED
  nlattr attr;
  const std::size_t attr_at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_req));
  std::memcpy(&attr, request.data() + attr_at, sizeof(attr));
  EXPECT_EQ(attr.nla_type, INET_DIAG_REQ_BYTECODE);
  EXPECT_EQ(attr.nla_len, NLA_HDRLEN + code.size());
  EXPECT_EQ(std::memcmp(request.data() + attr_at + NLA_HDRLEN, code.data(), code.size()), 0);
}

}  // namespace
}  // namespace portwarden::inventory
