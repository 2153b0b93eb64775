#include "agent/inventory/inet_diag_parser.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

std::vector<std::byte> ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PORTWARDEN_INVENTORY_FIXTURES) + "/" + name, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

std::vector<std::string> Endpoints(const std::vector<RawSocket>& sockets) {
  std::vector<std::string> out;
  for (const auto& s : sockets) {
    out.push_back(AddressText({s.family, s.address}) + ":" + std::to_string(s.port));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Captured by make_fixtures.sh in a private netns with known listeners.
TEST(InetDiagParserTest, ParsesCapturedTcp4Dump) {
  const auto bytes = ReadFixture("tcp4.nldump");
  auto sockets = ParseInetDiagDump(bytes, Protocol::kTcp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_EQ(Endpoints(*sockets), (std::vector<std::string>{"0.0.0.0:2222", "127.0.0.1:7000",
                                                           "127.0.0.1:7000", "127.0.0.1:8080"}));
  for (const auto& s : *sockets) {
    EXPECT_NE(s.inode, 0U);
    EXPECT_EQ(s.family, AddressFamily::kIpv4);
    EXPECT_FALSE(s.v6only.has_value());
  }
}

TEST(InetDiagParserTest, ReportsV6OnlyForIpv6Listeners) {
  auto sockets = ParseInetDiagDump(ReadFixture("tcp6.nldump"), Protocol::kTcp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  ASSERT_EQ(sockets->size(), 2U);
  for (const auto& s : *sockets) {
    ASSERT_TRUE(s.v6only.has_value());
    EXPECT_EQ(*s.v6only, s.port == 8443) << s.port;  // ::1:8443 v6only, [::]:9090 dual-stack
  }
}

TEST(InetDiagParserTest, ReportsBoundDeviceForUdp) {
  auto sockets = ParseInetDiagDump(ReadFixture("udp4.nldump"), Protocol::kUdp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_EQ(Endpoints(*sockets), (std::vector<std::string>{"0.0.0.0:5353", "127.0.0.53:53"}));
  for (const auto& s : *sockets) {
    EXPECT_EQ(s.protocol, Protocol::kUdp);
    EXPECT_EQ(s.ifindex != 0, s.port == 53);  // bound to lo (ifindex 1)
  }
  auto v6 = ParseInetDiagDump(ReadFixture("udp6.nldump"), Protocol::kUdp);
  ASSERT_TRUE(v6);
  EXPECT_EQ(Endpoints(*v6), (std::vector<std::string>{"::1:5354"}));
}

TEST(InetDiagParserTest, TruncatedDumpIsAnError) {
  auto bytes = ReadFixture("tcp4.nldump");
  bytes.resize(bytes.size() - 30);
  auto sockets = ParseInetDiagDump(bytes, Protocol::kTcp);
  ASSERT_FALSE(sockets);
  EXPECT_EQ(sockets.error().code, EINVAL);
}

TEST(InetDiagParserTest, MissingDoneIsAnError) {
  auto bytes = ReadFixture("udp6.nldump");
  bytes.resize(bytes.size() - NLMSG_ALIGN(NLMSG_LENGTH(sizeof(int))));  // drop NLMSG_DONE
  std::vector<RawSocket> out;
  auto done = ParseInetDiagBatch(bytes, Protocol::kUdp, out);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_FALSE(*done);  // more batches would follow
  EXPECT_EQ(out.size(), 1U);
  EXPECT_FALSE(ParseInetDiagDump(bytes, Protocol::kUdp));
}

std::vector<std::byte> Message(std::uint16_t type, int status) {
  std::vector<std::byte> bytes(NLMSG_LENGTH(sizeof(nlmsgerr)));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(bytes.size());
  header.nlmsg_type = type;
  std::memcpy(bytes.data(), &header, sizeof(header));
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &status, sizeof(status));
  return bytes;
}

TEST(InetDiagParserTest, NlmsgErrorCarriesKernelErrno) {
  std::vector<RawSocket> out;
  auto done = ParseInetDiagBatch(Message(NLMSG_ERROR, -ENOENT), Protocol::kUdp, out);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ENOENT);  // what a kernel without udp_diag answers
}

TEST(InetDiagParserTest, NegativeDoneStatusIsAnError) {
  std::vector<RawSocket> out;
  auto done = ParseInetDiagBatch(Message(NLMSG_DONE, -EINTR), Protocol::kTcp, out);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, EINTR);
  auto ok = ParseInetDiagBatch(Message(NLMSG_DONE, 0), Protocol::kTcp, out);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
}

TEST(InetDiagParserTest, RequestAsksForListenersOnly) {
  const auto bytes = BuildInetDiagRequest(AF_INET6, 6, kTcpfListen, 7);
  nlmsghdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  EXPECT_EQ(header.nlmsg_len, bytes.size());
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(header.nlmsg_seq, 7U);
  std::uint32_t states = 0;
  std::memcpy(&states, bytes.data() + NLMSG_HDRLEN + 4, sizeof(states));
  EXPECT_EQ(states, 1U << 10);
}

TEST(InetDiagParserTest, TcpCompatRequestAsksForListenersOfBothFamilies) {
  const auto bytes = BuildTcpDiagRequest(kTcpfListen, 9);
  nlmsghdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  EXPECT_EQ(header.nlmsg_len, bytes.size());
  EXPECT_EQ(header.nlmsg_len, NLMSG_HDRLEN + sizeof(inet_diag_req));
  EXPECT_EQ(header.nlmsg_type, TCPDIAG_GETSOCK);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(header.nlmsg_seq, 9U);
  inet_diag_req request;
  std::memcpy(&request, bytes.data() + NLMSG_HDRLEN, sizeof(request));
  EXPECT_EQ(request.idiag_states, kTcpfListen);
  EXPECT_EQ(request.idiag_ext, 0);
}

}  // namespace
}  // namespace portwarden::inventory
