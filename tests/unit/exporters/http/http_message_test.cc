// Response framing and gzip negotiation of the HTTP front.
#include "exporters/http/http_message.h"

#include <zlib.h>

#include <gtest/gtest.h>

#include "exporters/http/gzip.h"

namespace portwarden::exporters::http {
namespace {

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(GzipTest, AcceptEncodingNegotiation) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("x-gzip2"));
}

TEST(GzipTest, RoundTrip) {
  const std::string text(100000, 'm');
  const auto compressed = Gzip(text);
  ASSERT_TRUE(compressed);
  EXPECT_LT(compressed->size(), 1000u);
  EXPECT_EQ(Gunzip(*compressed), text);
}

TEST(HttpMessageTest, SerializeFramesTheBody) {
  Response response;
  response.body = "Healthy\n";
  response.headers.emplace_back("X-Frame-Options", "deny");
  EXPECT_EQ(Serialize(response, true, false),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 8\r\n"
            "X-Frame-Options: deny\r\nConnection: keep-alive\r\n\r\nHealthy\n");
  const std::string head = Serialize(ErrorResponse(431, true), true, true);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_TRUE(head.ends_with("Connection: close\r\n\r\n"));  // HEAD: no body, still its length
  EXPECT_NE(head.find("Content-Length: 36\r\n"), std::string::npos);
}

TEST(HttpMessageTest, SharedBodyIsReferencedNotCopied) {
  Response response;
  response.shared_body = std::make_shared<const std::string>(200000, 'x');
  response.body = "tail\n";
  const Outgoing parts = SerializeParts(response, true, false);
  ASSERT_EQ(parts.segments.size(), 3u);
  EXPECT_EQ(parts.segments[1].get(), response.shared_body.get());
  EXPECT_EQ(*parts.segments[2], "tail\n");
  EXPECT_NE(parts.segments[0]->find("Content-Length: 200005\r\n"), std::string::npos);
  EXPECT_EQ(parts.Joined(), Serialize(response, true, false));
  EXPECT_EQ(parts.size(), parts.Joined().size());
  // HEAD: the head alone, with the whole body's length.
  const Outgoing head = SerializeParts(response, true, true);
  ASSERT_EQ(head.segments.size(), 1u);
  EXPECT_NE(head.segments[0]->find("Content-Length: 200005\r\n"), std::string::npos);
  EXPECT_TRUE(head.segments[0]->ends_with("\r\n\r\n"));
}

}  // namespace
}  // namespace portwarden::exporters::http
