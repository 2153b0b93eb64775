// gzip_member: a prefix compressed piece by piece is the same data as compressed in one go,
// inflates back exactly, and joins a tail into one gzip member that zlib's own gzip reader
// accepts whole.
#include "exporters/prometheus/gzip_member.h"

#include <zlib.h>

#include <string>

#include <gtest/gtest.h>

namespace portwarden::exporters::prom {
namespace {

// zlib's gzip reader (window bits 15 + 16), independent of the code under test.
std::string Gunzip(const std::string& member) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(8 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  stream.avail_in = static_cast<uInt>(member.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END) << "CRC and length must check";
  EXPECT_EQ(stream.avail_in, 0u) << "one gzip member, nothing after it";
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

// Lines like an exposition's, 2.5 MB: many times the deflater's 64 KB output chunk.
std::string Exposition(int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    text += "portwarden_tls_probe_success{target=\"h" + std::to_string(i) +
            ".example:443\",address=\"127.0.0.1:443\",source=\"config\"} " + std::to_string(i % 2) +
            "\n";
  }
  return text;
}

TEST(GzipMemberTest, PiecewisePrefixInflatesToTheWholeText) {
  const std::string text = Exposition(30000);
  PrefixDeflater deflater;
  for (std::size_t at = 0; at < text.size(); at += 7919) {  // uneven pieces
    deflater.Append(std::string_view(text).substr(at, 7919));
  }
  const auto prefix = std::move(deflater).Finish();
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->size, text.size());
  EXPECT_LT(prefix->member_head.size(), text.size() / 10);
  EXPECT_EQ(prefix->member_head.capacity(), prefix->member_head.size())
      << "held for a whole snapshot: no spare capacity";
  const auto inflated = InflatePrefix(*prefix);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, text);
  EXPECT_EQ(Gunzip(*GzipWithPrefix(*prefix, "process_open_fds 7\n")),
            text + "process_open_fds 7\n");
}

TEST(GzipMemberTest, OneShotAndEmptyPrefixesMakeValidMembers) {
  const std::string text = Exposition(100);
  const auto whole = DeflatePrefix(text);
  ASSERT_TRUE(whole);
  EXPECT_EQ(Gunzip(*GzipWithPrefix(*whole, "")), text);
  const auto empty = DeflatePrefix("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(*InflatePrefix(*empty), "");
  EXPECT_EQ(Gunzip(*GzipWithPrefix(*empty, "tail 1\n")), "tail 1\n");
  // The tail alone is what a scrape adds after the shared head.
  EXPECT_EQ(whole->member_head + *GzipTail(*whole, "x 1\n"), *GzipWithPrefix(*whole, "x 1\n"));
}

TEST(GzipMemberTest, CorruptPrefixDoesNotInflate) {
  auto prefix = DeflatePrefix(Exposition(1000));
  ASSERT_TRUE(prefix);
  prefix->member_head[prefix->member_head.size() / 2] ^= 0x5a;
  EXPECT_FALSE(InflatePrefix(*prefix));
  prefix->member_head.resize(4);
  EXPECT_FALSE(InflatePrefix(*prefix));
}

}  // namespace
}  // namespace portwarden::exporters::prom
