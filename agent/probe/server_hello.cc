#include "agent/probe/server_hello.h"

#include <algorithm>
#include <vector>

namespace portwarden::probe::hello {
namespace {

constexpr std::uint8_t kAlertRecord = 0x15;
constexpr std::uint8_t kHandshakeRecord = 0x16;
constexpr std::uint8_t kServerHelloType = 0x02;
constexpr std::uint16_t kSupportedVersions = 43;
constexpr std::uint16_t kKeyShare = 51;

std::unexpected<ReplyError> Malformed(std::string reason) {
  return std::unexpected(ReplyError{false, std::move(reason)});
}

std::unexpected<ReplyError> Incomplete() {
  return std::unexpected(ReplyError{true, ""});
}

/// Reads big-endian fields from a span; any read past the end sets `failed` and yields 0,
/// so a parse checks `ok()` once per block instead of after every field.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  std::uint32_t Uint(std::size_t width) {
    if (!Has(width)) {
      return 0;
    }
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      value = (value << 8) | data_[pos_ + i];
    }
    pos_ += width;
    return value;
  }

  std::span<const std::uint8_t> Take(std::size_t size) {
    if (!Has(size)) {
      return {};
    }
    const auto out = data_.subspan(pos_, size);
    pos_ += size;
    return out;
  }

  bool ok() const { return !failed_; }

  bool empty() const { return pos_ == data_.size(); }

 private:
  bool Has(std::size_t size) {
    if (failed_ || data_.size() - pos_ < size) {
      failed_ = true;
      return false;
    }
    return true;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

std::expected<void, ReplyError> ParseKeyShare(std::span<const std::uint8_t> data,
                                              ServerReply& reply) {
  Reader in(data);
  reply.group = static_cast<std::uint16_t>(in.Uint(2));
  if (reply.kind == ReplyKind::kServerHello) {
    const auto size = in.Uint(2);
    in.Take(size);
    reply.key_exchange_size = size;
  }
  if (!in.ok() || !in.empty()) {
    return Malformed("key_share extension of the wrong length");
  }
  return {};
}

std::expected<void, ReplyError> ParseExtensions(Reader& in, ServerReply& reply) {
  if (in.empty()) {
    return {};  // TLS 1.2 and older may omit the extensions block.
  }
  Reader block(in.Take(in.Uint(2)));
  if (!in.ok() || !in.empty()) {
    return Malformed("extensions block does not end the ServerHello");
  }
  std::vector<std::uint16_t> seen;
  while (block.ok() && !block.empty()) {
    const auto type = static_cast<std::uint16_t>(block.Uint(2));
    const auto data = block.Take(block.Uint(2));
    if (!block.ok()) {
      break;
    }
    if (std::find(seen.begin(), seen.end(), type) != seen.end()) {
      return Malformed("extension " + std::to_string(type) + " appears twice");
    }
    seen.push_back(type);
    if (type == kSupportedVersions) {
      if (data.size() != 2) {
        return Malformed("supported_versions extension of the wrong length");
      }
      reply.selected_version = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    } else if (type == kKeyShare) {
      if (auto parsed = ParseKeyShare(data, reply); !parsed) {
        return parsed;
      }
    }
  }
  if (!block.ok()) {
    return Malformed("an extension runs past the extensions block");
  }
  return {};
}

std::expected<ServerReply, ReplyError> ParseServerHelloBody(std::span<const std::uint8_t> body) {
  ServerReply reply;
  Reader in(body);
  reply.legacy_version = static_cast<std::uint16_t>(in.Uint(2));
  const auto random = in.Take(32);
  const auto session_id_size = in.Uint(1);
  in.Take(session_id_size);
  reply.cipher_suite = static_cast<std::uint16_t>(in.Uint(2));
  in.Uint(1);  // legacy_compression_method
  if (!in.ok()) {
    return Malformed("ServerHello shorter than its fixed fields");
  }
  if (session_id_size > 32) {
    return Malformed("ServerHello session id longer than 32 bytes");
  }
  if (std::equal(random.begin(), random.end(), std::begin(kHelloRetryRandom))) {
    reply.kind = ReplyKind::kHelloRetryRequest;
  }
  if (auto parsed = ParseExtensions(in, reply); !parsed) {
    return std::unexpected(parsed.error());
  }
  return reply;
}

std::expected<ServerReply, ReplyError> ParseAlert(std::span<const std::uint8_t> payload) {
  if (payload.size() < 2) {
    return Malformed("alert record shorter than an alert");
  }
  ServerReply reply;
  reply.kind = ReplyKind::kAlert;
  reply.alert_level = payload[0];
  reply.alert_description = payload[1];
  return reply;
}

/// The first handshake message, once `handshake` (record payloads so far) holds all of it.
std::expected<ServerReply, ReplyError> FirstMessage(std::span<const std::uint8_t> handshake) {
  if (handshake.size() < 4) {
    return Incomplete();
  }
  if (handshake[0] != kServerHelloType) {
    return Malformed("first handshake message is of type " + std::to_string(handshake[0]) +
                     ", not ServerHello");
  }
  const std::size_t length = (std::size_t{handshake[1]} << 16) | (handshake[2] << 8) | handshake[3];
  if (length + 4 > kMaxServerReplyBytes) {
    return Malformed("ServerHello of " + std::to_string(length) + " bytes exceeds the cap");
  }
  if (handshake.size() < length + 4) {
    return Incomplete();
  }
  return ParseServerHelloBody(handshake.subspan(4, length));
}

}  // namespace

std::expected<ServerReply, ReplyError> ParseServerReply(std::span<const std::uint8_t> bytes) {
  bytes = bytes.first(std::min(bytes.size(), kMaxServerReplyBytes));
  std::vector<std::uint8_t> handshake;
  std::size_t pos = 0;
  while (true) {
    if (bytes.size() - pos < 5) {
      return Incomplete();
    }
    const std::uint8_t type = bytes[pos];
    const std::size_t length = (std::size_t{bytes[pos + 3]} << 8) | bytes[pos + 4];
    if ((type != kAlertRecord && type != kHandshakeRecord) || bytes[pos + 1] != 0x03) {
      return Malformed(pos == 0 ? "not a TLS record"
                                : "a non-handshake record before the end "
                                  "of the ServerHello");
    }
    if (length == 0 || length > kMaxRecordPayload) {
      return Malformed("record length " + std::to_string(length) + " out of range");
    }
    if (bytes.size() - pos - 5 < length) {
      return Incomplete();
    }
    const auto payload = bytes.subspan(pos + 5, length);
    pos += 5 + length;
    if (type == kAlertRecord) {
      return ParseAlert(payload);
    }
    handshake.insert(handshake.end(), payload.begin(), payload.end());
    auto reply = FirstMessage(handshake);
    if (reply || !reply.error().incomplete) {
      return reply;
    }
  }
}

}  // namespace portwarden::probe::hello
