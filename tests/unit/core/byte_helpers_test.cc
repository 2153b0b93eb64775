#include <array>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "agent/core/ascii.h"
#include "agent/core/netlink_bytes.h"

namespace portwarden {
namespace {

TEST(AsciiLowerTest, OnlyAsciiCapitalsChange) {
  EXPECT_EQ(AsciiLower("WWW.Example.COM:443"), "www.example.com:443");
  // Bytes above 0x7f (Latin-1 capitals, UTF-8 sequences) and controls are left alone.
  const std::string hostile = "\xC3\x89T\xC9\x01Z@[`{";
  EXPECT_EQ(AsciiLower(hostile), "\xC3\x89t\xC9\x01z@[`{");
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(TrimBlanksTest, OnlySpacesAndTabsAtTheEnds) {
  EXPECT_EQ(TrimBlanks(" \t a b\t \t"), "a b");
  EXPECT_EQ(TrimBlanks("\r\n x \n"), "\r\n x \n");  // CR and LF are not blanks
  EXPECT_EQ(TrimBlanks(" \t "), "");
  EXPECT_EQ(TrimBlanks(""), "");
}

TEST(NetlinkBytesTest, UnalignedLoadAndFourByteAlignment) {
  std::array<std::byte, 9> bytes{};
  const std::uint32_t value = 0xA1B2C3D4;
  std::memcpy(bytes.data() + 1, &value, sizeof(value));  // deliberately misaligned
  EXPECT_EQ(LoadUnaligned<std::uint32_t>(std::span(bytes).subspan(1)), value);
  EXPECT_EQ(NetlinkAlign(0), 0U);
  EXPECT_EQ(NetlinkAlign(1), 4U);
  EXPECT_EQ(NetlinkAlign(4), 4U);
  EXPECT_EQ(NetlinkAlign(17), 20U);
}

}  // namespace
}  // namespace portwarden
