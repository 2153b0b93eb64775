// The parser of the server's first reply: ServerHello, HelloRetryRequest, alert, and what a
// hostile peer may send instead.
#include "agent/probe/server_hello.h"

#include <gtest/gtest.h>

namespace portwarden::probe::hello {
namespace {

using Bytes = std::vector<std::uint8_t>;

void Put16(Bytes& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void Append(Bytes& out, const Bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

Bytes Extension(std::uint16_t type, const Bytes& data) {
  Bytes out;
  Put16(out, type);
  Put16(out, data.size());
  Append(out, data);
  return out;
}

Bytes KeyShareEntry(std::uint16_t group, std::size_t size) {
  Bytes out;
  Put16(out, group);
  Put16(out, size);
  out.insert(out.end(), size, 0x5A);
  return out;
}

Bytes Group(std::uint16_t group) {
  Bytes out;
  Put16(out, group);
  return out;
}

/// A ServerHello handshake message (header included) with `extensions`.
Bytes ServerHelloMessage(const Bytes& extensions, bool retry = false, std::size_t session = 32) {
  Bytes body{0x03, 0x03};
  if (retry) {
    body.insert(body.end(), std::begin(kHelloRetryRandom), std::end(kHelloRetryRandom));
  } else {
    body.insert(body.end(), 32, 0x77);
  }
  body.push_back(static_cast<std::uint8_t>(session));
  body.insert(body.end(), session, 0xBB);
  Append(body, {0x13, 0x01, 0x00});
  Put16(body, extensions.size());
  Append(body, extensions);
  Bytes message{0x02, 0x00};
  Put16(message, body.size());
  Append(message, body);
  return message;
}

Bytes Records(std::uint8_t type, const Bytes& payload, std::size_t fragment = 16384) {
  Bytes out;
  for (std::size_t at = 0; at < payload.size(); at += fragment) {
    const std::size_t size = std::min(fragment, payload.size() - at);
    Append(out, {type, 0x03, 0x03});
    Put16(out, size);
    out.insert(out.end(), payload.begin() + static_cast<long>(at),
               payload.begin() + static_cast<long>(at + size));
  }
  return out;
}

Bytes Tls13Extensions(const Bytes& key_share) {
  Bytes extensions = Extension(43, {0x03, 0x04});
  Append(extensions, Extension(51, key_share));
  return extensions;
}

std::string MalformedReason(const Bytes& bytes) {
  const auto reply = ParseServerReply(bytes);
  if (reply) {
    return "parsed";
  }
  return reply.error().incomplete ? "incomplete" : reply.error().reason;
}

TEST(ServerHelloTest, Tls13ServerHelloNamesItsGroupAndShare) {
  const Bytes bytes =
      Records(0x16, ServerHelloMessage(Tls13Extensions(KeyShareEntry(0x11EC, 1120))));
  const auto reply = ParseServerReply(bytes);
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->kind, ReplyKind::kServerHello);
  EXPECT_EQ(reply->selected_version, 0x0304);
  EXPECT_EQ(reply->legacy_version, 0x0303);
  EXPECT_EQ(reply->cipher_suite, 0x1301);
  EXPECT_EQ(reply->group, 0x11EC);
  EXPECT_EQ(reply->key_exchange_size, 1120u);
}

TEST(ServerHelloTest, HelloRetryRequestIsToldByItsRandom) {
  const auto reply =
      ParseServerReply(Records(0x16, ServerHelloMessage(Tls13Extensions(Group(0x0017)), true)));
  ASSERT_TRUE(reply) << reply.error().reason;
  EXPECT_EQ(reply->kind, ReplyKind::kHelloRetryRequest);
  EXPECT_EQ(reply->group, 0x0017);
  EXPECT_EQ(reply->key_exchange_size, 0u);
}

TEST(ServerHelloTest, AlertIsReported) {
  const auto reply = ParseServerReply(Records(0x15, {0x02, 0x28}));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, ReplyKind::kAlert);
  EXPECT_EQ(reply->alert_level, 2);
  EXPECT_EQ(reply->alert_description, 40);
}

TEST(ServerHelloTest, FragmentedOverRecordsParsesTheSame) {
  const Bytes message = ServerHelloMessage(Tls13Extensions(KeyShareEntry(0x001D, 32)));
  for (std::size_t fragment : {1u, 3u, 7u, 50u}) {
    const auto reply = ParseServerReply(Records(0x16, message, fragment));
    ASSERT_TRUE(reply) << fragment << ": " << reply.error().reason;
    EXPECT_EQ(reply->group, 0x001D);
    EXPECT_EQ(reply->key_exchange_size, 32u);
  }
}

TEST(ServerHelloTest, EveryPrefixIsIncompleteAndTrailingRecordsAreIgnored) {
  Bytes bytes = Records(0x16, ServerHelloMessage(Tls13Extensions(KeyShareEntry(0x001D, 32))), 40);
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const auto reply = ParseServerReply({bytes.data(), size});
    ASSERT_FALSE(reply) << size;
    EXPECT_TRUE(reply.error().incomplete) << size << ": " << reply.error().reason;
  }
  Append(bytes, Records(0x14, {0x01}));
  Append(bytes, Records(0x17, Bytes(100, 0xEE)));
  EXPECT_TRUE(ParseServerReply(bytes));
}

TEST(ServerHelloTest, Tls12ServerHelloHasNoSelectedVersion) {
  const auto without = ParseServerReply(Records(0x16, ServerHelloMessage({})));
  ASSERT_TRUE(without) << without.error().reason;
  EXPECT_EQ(without->selected_version, 0);
  EXPECT_FALSE(without->group);
}

TEST(ServerHelloTest, HostileRepliesAreMalformedNotCrashes) {
  const Bytes good_extensions = Tls13Extensions(KeyShareEntry(0x001D, 32));
  const std::string http = "HTTP/1.1 400 Bad Request\r\n\r\n";
  EXPECT_EQ(MalformedReason(Bytes(http.begin(), http.end())), "not a TLS record");
  EXPECT_EQ(MalformedReason(Records(0x14, {0x01})), "not a TLS record");
  EXPECT_EQ(MalformedReason({0x16, 0x03, 0x03, 0x00, 0x00}), "record length 0 out of range");
  EXPECT_EQ(MalformedReason({0x16, 0x03, 0x03, 0x40, 0x01}), "record length 16385 out of range");
  EXPECT_EQ(MalformedReason(Records(0x15, {0x02})), "alert record shorter than an alert");
  EXPECT_EQ(MalformedReason(Records(0x16, {0x0B, 0x00, 0x00, 0x00})),
            "first handshake message is of type 11, not ServerHello");
  EXPECT_EQ(MalformedReason(Records(0x16, {0x02, 0x00, 0x00, 0x01, 0x03})),
            "ServerHello shorter than its fixed fields");
  EXPECT_EQ(MalformedReason(Records(0x16, {0x02, 0xFF, 0xFF, 0xFF})),
            "ServerHello of 16777215 bytes exceeds the cap");
  EXPECT_EQ(MalformedReason(Records(0x16, ServerHelloMessage(good_extensions, false, 33))),
            "ServerHello session id longer than 32 bytes");
  Bytes twice = good_extensions;
  Append(twice, Extension(43, {0x03, 0x04}));
  EXPECT_EQ(MalformedReason(Records(0x16, ServerHelloMessage(twice))),
            "extension 43 appears twice");
  Bytes short_share = Tls13Extensions({0x00, 0x1D, 0x00, 0x20, 0x01});
  EXPECT_EQ(MalformedReason(Records(0x16, ServerHelloMessage(short_share))),
            "key_share extension of the wrong length");
  Bytes overrun = Extension(43, {0x03, 0x04});
  Append(overrun, {0x00, 0x33, 0x00, 0x10, 0x00});
  EXPECT_EQ(MalformedReason(Records(0x16, ServerHelloMessage(overrun))),
            "an extension runs past the extensions block");
  EXPECT_EQ(MalformedReason(Records(0x16, ServerHelloMessage(Extension(43, {0x03})))),
            "supported_versions extension of the wrong length");
  Bytes mixed = Records(0x16, Bytes{0x02, 0x00});
  Append(mixed, Records(0x17, {0x00}));
  EXPECT_EQ(MalformedReason(mixed), "a non-handshake record before the end of the ServerHello");
}

TEST(ServerHelloTest, InputBeyondTheCapIsNotRead) {
  // An endless stream of 1-byte handshake records never completes a message larger than the
  // cap: the parser stops at the cap and says incomplete, and the caller stops reading.
  Bytes flood = Records(0x16, {0x02, 0x00, 0xFF, 0xFF});
  while (flood.size() < kMaxServerReplyBytes + 100) {
    Append(flood, Records(0x16, {0x00}));
  }
  const auto reply = ParseServerReply(flood);
  ASSERT_FALSE(reply);
  EXPECT_TRUE(reply.error().incomplete);
}

}  // namespace
}  // namespace portwarden::probe::hello
