// The HTTP front's request parser: framing, limits, and early rejection of garbage.
#include "exporters/http/request_parser.h"

#include <gtest/gtest.h>

namespace portwarden::exporters::http {
namespace {

using State = RequestParser::State;

struct Outcome {
  State state;
  int status;
  std::size_t consumed;
};

Outcome FeedAll(RequestParser& parser, std::string_view bytes) {
  std::size_t consumed = 0;
  const State state = parser.Feed(bytes, consumed);
  return {state, parser.error_status(), consumed};
}

Outcome Parse(std::string_view bytes, HttpLimits limits = {}) {
  RequestParser parser(limits);
  return FeedAll(parser, bytes);
}

TEST(RequestParserTest, SimpleGet) {
  RequestParser parser;
  const auto outcome =
      FeedAll(parser, "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
  ASSERT_EQ(outcome.state, State::kComplete);
  EXPECT_EQ(parser.request().method, "GET");
  EXPECT_EQ(parser.request().path, "/metrics");
  EXPECT_EQ(parser.request().Header("accept-encoding"), "gzip");
  EXPECT_TRUE(parser.request().keep_alive);
}

TEST(RequestParserTest, BarePostHasNoBody) {
  // curl -X POST http://host/-/reload: no Content-Length, no body; complete at once.
  RequestParser parser;
  EXPECT_EQ(FeedAll(parser, "POST /-/reload HTTP/1.1\r\nHost: a\r\n\r\n").state, State::kComplete);
  EXPECT_EQ(parser.request().body, "");
}

TEST(RequestParserTest, BytesArriveOneAtATime) {
  const std::string text = "POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc";
  RequestParser parser;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t consumed = 0;
    const State state = parser.Feed(std::string_view(text).substr(i, 1), consumed);
    EXPECT_EQ(consumed, 1u);
    EXPECT_EQ(state, i + 1 == text.size() ? State::kComplete : State::kNeedMore) << i;
  }
  EXPECT_EQ(parser.request().body, "abc");
  EXPECT_FALSE(parser.request().keep_alive);  // HTTP/1.0 without keep-alive
}

TEST(RequestParserTest, PipelinedRequestIsLeftForNext) {
  const std::string first = "GET /a HTTP/1.1\r\n\r\n";
  const auto outcome = Parse(first + "GET /b HTTP/1.1\r\n\r\n");
  EXPECT_EQ(outcome.state, State::kComplete);
  EXPECT_EQ(outcome.consumed, first.size());
}

TEST(RequestParserTest, ChunkedBodyDecodedAndBounded) {
  RequestParser parser;
  ASSERT_EQ(FeedAll(parser,
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n")
                .state,
            State::kComplete);
  EXPECT_EQ(parser.request().body, "abcde");
  const HttpLimits small{.max_head_bytes = 1024, .max_headers = 10, .max_body_bytes = 4};
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\n", small)
                .status,
            413);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n")
                .status,
            413);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").status, 400);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").status, 501);
}

TEST(RequestParserTest, ContentLengthLimits) {
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nContent-Length: 65537\r\n\r\n").status, 413);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").status,
            413);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status, 400);
  EXPECT_EQ(Parse("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").status,
            400);
  EXPECT_EQ(
      Parse("POST /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n").status,
      400);
}

TEST(RequestParserTest, HeadLimits) {
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) {
    many += "X: y\r\n";
  }
  EXPECT_EQ(Parse(many).status, 431);  // before the blank line arrives
  EXPECT_EQ(Parse("GET /" + std::string(20000, 'a')).status, 431);
  EXPECT_EQ(Parse(std::string(20000, '\n')).status, 400);
}

TEST(RequestParserTest, GarbageFailsAtItsFirstByte) {
  EXPECT_EQ(Parse("\x16\x03\x01").state, State::kError);  // a TLS ClientHello on plain HTTP
  EXPECT_EQ(Parse("\x16\x03\x01").status, 400);
  EXPECT_EQ(Parse("GE T").status, 0);  // still a possible method + target
  EXPECT_EQ(Parse(" GET").status, 400);
  EXPECT_EQ(Parse("AVERYLONGMETHODNAME").status, 400);
  EXPECT_EQ(Parse("GET /\x01").status, 400);
  EXPECT_EQ(Parse("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").status, 400);  // the HTTP/2 preface
  EXPECT_EQ(Parse("GET / HTTP/3.0\r\n\r\n").status, 505);
  EXPECT_EQ(Parse("GET / FTP/1.0\r\n\r\n").status, 400);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\n folded\r\n\r\n").status, 400);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").status, 400);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n").status, 400);
}

TEST(RequestParserTest, AbsoluteFormAndConnectionClose) {
  RequestParser parser;
  ASSERT_EQ(FeedAll(parser, "GET http://h:1/metrics HTTP/1.1\r\nConnection: Close\r\n\r\n").state,
            State::kComplete);
  EXPECT_EQ(parser.request().path, "/metrics");
  EXPECT_FALSE(parser.request().keep_alive);
  parser.Reset();
  EXPECT_EQ(FeedAll(parser, "GET / HTTP/1.1\r\n\r\n").state, State::kComplete);
}

}  // namespace
}  // namespace portwarden::exporters::http
