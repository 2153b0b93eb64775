// The raw ClientHello of group detection, byte for byte.
#include "agent/probe/client_hello.h"

#include <string>

#include <gtest/gtest.h>

#include "agent/probe/server_hello.h"

namespace portwarden::probe::hello {
namespace {

std::vector<std::uint8_t> FromHex(std::string hex) {
  std::erase_if(hex, [](char c) { return c == ' ' || c == '\n'; });
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string Repeat(const std::string& byte, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out += byte;
  }
  return out;
}

ClientHelloSpec FixedSpec(std::span<const std::uint8_t> share, std::string_view name) {
  ClientHelloSpec spec;
  spec.group = 0x001D;
  spec.key_share = share;
  spec.server_name = name;
  spec.random.fill(0xAA);
  spec.session_id.fill(0xBB);
  return spec;
}

// Lengths worked out by hand from RFC 8446 4.1.2 / 4.2 and RFC 6066 3, not by the builder.
TEST(ClientHelloTest, X25519WithServerNameIsByteExact) {
  const std::vector<std::uint8_t> share(32, 0x11);
  const std::string expected =
      "16 0301 00b7"  // handshake record, 183 bytes
      "01 0000b3"     // client_hello, 179 bytes
      "0303" +
      Repeat("aa", 32) +                     // legacy_version, random
      "20" + Repeat("bb", 32) +              // legacy_session_id
      "0006 1301 1302 1303"                  // cipher_suites
      "01 00"                                // null compression
      "0064"                                 // extensions, 100 bytes
      "0000 000b 0009 00 0006 612e74657374"  // server_name "a.test"
      "000a 0004 0002 001d"                  // supported_groups: x25519
      "000d 0018 0016 0403 0503 0603 0804 0805 0806 0401 0501 0601 0807 0808"
      "002b 0003 02 0304"  // supported_versions: TLS 1.3
      "0033 0026 0024 001d 0020" +
      Repeat("11", 32);  // key_share
  EXPECT_EQ(BuildClientHello(FixedSpec(share, "a.test")), FromHex(expected));
}

TEST(ClientHelloTest, NoServerNameExtensionWithoutAName) {
  const std::vector<std::uint8_t> share(32, 0x11);
  const auto with = BuildClientHello(FixedSpec(share, "a.test"));
  const auto without = BuildClientHello(FixedSpec(share, ""));
  ASSERT_EQ(with.size(), without.size() + 15);  // the 15-byte server_name extension
  EXPECT_EQ(without[3] * 256 + without[4], without.size() - 5);
  const std::string overlong(256, 'a');
  EXPECT_EQ(BuildClientHello(FixedSpec(share, overlong)).size(), without.size());
}

TEST(ClientHelloTest, HybridShareOf1216BytesFitsOneRecord) {
  const std::vector<std::uint8_t> share(1216, 0x22);
  ClientHelloSpec spec = FixedSpec(share, "");
  spec.group = 0x11EC;
  const auto bytes = BuildClientHello(spec);
  const std::size_t record = (std::size_t{bytes[3]} << 8) | bytes[4];
  EXPECT_EQ(record, bytes.size() - 5);
  EXPECT_EQ((std::size_t{bytes[6]} << 16) | (bytes[7] << 8) | bytes[8], record - 4);
  // The key_share entry ends the hello: group 11ec, length 04c0 (1216), then the share.
  const std::size_t entry = bytes.size() - 1216 - 4;
  EXPECT_EQ(bytes[entry], 0x11);
  EXPECT_EQ(bytes[entry + 1], 0xEC);
  EXPECT_EQ(bytes[entry + 2], 0x04);
  EXPECT_EQ(bytes[entry + 3], 0xC0);
  EXPECT_LE(record, kMaxRecordPayload);
}

}  // namespace
}  // namespace portwarden::probe::hello
