#include "agent/inventory/proc_net_parser.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/inventory/proc_net_socket_source.h"
#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

std::string ReadText(const std::string& name) {
  std::ifstream in(std::string(PORTWARDEN_INVENTORY_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ProcNetParserTest, ParsesCapturedTcpListeners) {
  std::vector<RawSocket> out;
  ASSERT_TRUE(
      ParseProcNet(ReadText("proc_net_tcp.txt"), Protocol::kTcp, AddressFamily::kIpv4, out));
  ASSERT_EQ(out.size(), 4U);
  std::vector<std::string> endpoints;
  for (const auto& s : out) {
    endpoints.push_back(AddressText({s.family, s.address}) + ":" + std::to_string(s.port));
    EXPECT_NE(s.inode, 0U);
    EXPECT_FALSE(s.v6only.has_value());
  }
  std::sort(endpoints.begin(), endpoints.end());
  EXPECT_EQ(endpoints, (std::vector<std::string>{"0.0.0.0:2222", "127.0.0.1:7000", "127.0.0.1:7000",
                                                 "127.0.0.1:8080"}));
}

TEST(ProcNetParserTest, ParsesIpv6WordOrder) {
  std::vector<RawSocket> out;
  ASSERT_TRUE(
      ParseProcNet(ReadText("proc_net_udp6.txt"), Protocol::kUdp, AddressFamily::kIpv6, out));
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(AddressText({out[0].family, out[0].address}), "::1");
  EXPECT_EQ(out[0].port, 5354);
}

TEST(ProcNetParserTest, SkipsEstablishedAndRejectsGarbage) {
  const std::string text =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n"
      "   0: 0100007F:0016 0100007F:A000 01 00000000:00000000 00:00000000 00000000  1000 0 42 1\n";
  std::vector<RawSocket> out;
  ASSERT_TRUE(ParseProcNet(text, Protocol::kTcp, AddressFamily::kIpv4, out));
  EXPECT_TRUE(out.empty());
  auto bad = ParseProcNet(text + "   1: nonsense\n", Protocol::kTcp, AddressFamily::kIpv4, out);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 3"), std::string::npos);
}

TEST(ProcNetParserTest, SockstatCountsPerProtocol) {
  constexpr std::string_view kSockstat =
      "sockets: used 61\nTCP: inuse 40 orphan 1 tw 6913 alloc 40 mem 118\nUDP: inuse 0 mem 0\n"
      "UDPLITE: inuse 3\n";
  EXPECT_EQ(SockstatInUse(kSockstat, "TCP"), 40);
  EXPECT_EQ(SockstatInUse(kSockstat, "UDP"), 0);
  EXPECT_EQ(SockstatInUse("TCP6: inuse 2\nUDP6: inuse 0\n", "TCP6"), 2);
  EXPECT_FALSE(SockstatInUse(kSockstat, "TCP6"));
  EXPECT_FALSE(SockstatInUse("TCP: inuse lots\n", "TCP"));
  EXPECT_FALSE(SockstatInUse("", "UDP"));
}

std::string Row(int sl, int port, const char* state, int inode) {
  char row[160];
  std::snprintf(row, sizeof(row),
                "%4d: 0100007F:%04X 00000000:0000 %s 00000000:00000000 00:00000000 00000000  "
                "1000        0 %d 1\n",
                sl, port, state, inode);
  return row;
}

// Once sockstat's count says every socket of interest was seen, the rest is not parsed (the
// garbage after it would be an error otherwise).
TEST(ProcNetParserTest, StopsOnceSockstatSaysNothingOfInterestFollows) {
  const std::string garbage = "   9: nonsense\n";
  std::vector<RawSocket> out;
  ProcNetTally tcp{.in_use = 2};  // two listeners and nothing else hashed
  ASSERT_TRUE(ParseProcNetRows(Row(0, 80, "0A", 1) + Row(1, 81, "0A", 2) + garbage, Protocol::kTcp,
                               AddressFamily::kIpv4, out, 2, tcp));
  EXPECT_TRUE(tcp.complete);
  EXPECT_EQ(out.size(), 2U);
  // Listeners come first: the first row in another state ends them, whatever the count.
  out.clear();
  ProcNetTally established{.in_use = 50};
  ASSERT_TRUE(ParseProcNetRows(Row(0, 80, "0A", 1) + Row(1, 81, "01", 2) + garbage, Protocol::kTcp,
                               AddressFamily::kIpv4, out, 2, established));
  EXPECT_TRUE(established.complete);
  EXPECT_EQ(out.size(), 1U);
  // UDP: every row counts (connected ones too), and all of them must be read.
  out.clear();
  ProcNetTally udp{.in_use = 2};
  ASSERT_TRUE(ParseProcNetRows(Row(0, 53, "01", 1) + Row(1, 54, "07", 2) + garbage, Protocol::kUdp,
                               AddressFamily::kIpv4, out, 2, udp));
  EXPECT_TRUE(udp.complete);
  EXPECT_EQ(out.size(), 1U);
  // Not yet complete, or count unknown: everything is parsed.
  ProcNetTally more{.in_use = 3};
  EXPECT_FALSE(ParseProcNetRows(Row(0, 80, "0A", 1) + Row(1, 81, "0A", 2) + garbage, Protocol::kTcp,
                                AddressFamily::kIpv4, out, 2, more));
  ProcNetTally unknown;
  EXPECT_FALSE(ParseProcNetRows(Row(0, 80, "0A", 1) + Row(1, 81, "01", 2) + garbage, Protocol::kTcp,
                                AddressFamily::kIpv4, out, 2, unknown));
}

// The same through the reader, over a directory shaped like /proc/<pid>/net: with sockstat
// the table is read only as far as it must be, without it to the end.
TEST(ProcNetSocketSourceTest, ReadsOnlyAsFarAsSockstatRequires) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("pw_proc_stop_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& body) {
    std::ofstream(dir / name) << body;
  };
  write("tcp", "  sl  local_address header\n" + Row(0, 80, "0A", 1) + Row(1, 81, "0A", 2) +
                   "   2: garbage\n");
  write("sockstat6", "TCP6: inuse 0\nUDP6: inuse 0\n");
  ProcNetSocketSource source(dir.string());
  EXPECT_FALSE(source.Dump(Protocol::kTcp));  // no sockstat: read to the garbage
  write("sockstat", "sockets: used 3\nTCP: inuse 2 orphan 0 tw 0 alloc 2 mem 0\n");
  auto sockets = source.Dump(Protocol::kTcp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_EQ(sockets->size(), 2U);
  write("sockstat", "TCP: inuse 3 orphan 0 tw 0 alloc 3 mem 0\n");  // one more to find
  EXPECT_FALSE(source.Dump(Protocol::kTcp));
  std::filesystem::remove_all(dir);
}

TEST(ProcNetSocketSourceTest, ReadsTheRunningKernel) {
  // Real /proc of the test's own namespace: a listener the test opens must appear.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ProcNetSocketSource source("/proc/self/net");
  auto sockets = source.Dump(Protocol::kTcp);
  ::close(fd);
  ASSERT_TRUE(sockets) << sockets.error().message;
  EXPECT_TRUE(std::any_of(sockets->begin(), sockets->end(),
                          [&](const RawSocket& s) { return s.port == ntohs(addr.sin_port); }));
  ProcNetSocketSource missing("/nonexistent");
  EXPECT_FALSE(missing.Dump(Protocol::kUdp));
}

// A table several times the 64 KiB read buffer (rows cut at every chunk boundary), written to
// a directory shaped like /proc/<pid>/net; then a malformed row deep in it.
TEST(ProcNetSocketSourceTest, StreamsLargeTablesAcrossChunkBoundaries) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("pw_proc_net_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  constexpr int kRows = 2000;  // 150-byte rows: about 300 KB
  std::string text =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
      "timeout inode\n";
  for (int i = 0; i < kRows; ++i) {
    char row[160];
    std::snprintf(row, sizeof(row),
                  "%4d: 0100007F:%04X 00000000:0000 %s 00000000:00000000 00:00000000 00000000  "
                  "1000        0 %d 1 0000000000000000 100 0 0 10 0",
                  i, 1024 + i, i % 2 == 0 ? "0A" : "01", 50000 + i);
    std::string padded(row);
    padded.resize(149, ' ');
    text += padded + "\n";
  }
  const auto write = [&](const std::string& name, const std::string& body) {
    std::ofstream(dir / name) << body;
  };
  write("tcp", text);
  write("tcp6", "garbage that must not be read\n");
  write("sockstat6", "TCP6: inuse 0\nUDP6: inuse 0\n");  // so tcp6 is skipped
  ProcNetSocketSource source(dir.string());
  auto sockets = source.Dump(Protocol::kTcp);
  ASSERT_TRUE(sockets) << sockets.error().message;
  ASSERT_EQ(sockets->size(), static_cast<std::size_t>(kRows / 2));
  for (std::size_t i = 0; i < sockets->size(); ++i) {
    EXPECT_EQ((*sockets)[i].port, 1024 + 2 * i);
    EXPECT_EQ((*sockets)[i].inode, 50000U + 2 * i);
  }
  write("tcp", text + "garbage row\n" + text.substr(text.find('\n') + 1));
  auto bad = source.Dump(Protocol::kTcp);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line " + std::to_string(kRows + 2)), std::string::npos)
      << bad.error().message;
  write("tcp", std::string(70000, 'x'));  // one "row" longer than the buffer
  EXPECT_FALSE(source.Dump(Protocol::kTcp));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace portwarden::inventory
