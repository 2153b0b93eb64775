#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>

/// A bounded parser of what a TLS server sends first in answer to a ClientHello: its
/// ServerHello or HelloRetryRequest (possibly fragmented over several handshake records), or
/// an alert. Every byte is the peer's and hostile: lengths are checked against what is there
/// and against the caps below, nothing is copied but the fields returned. Pure; thread-safe.
namespace portwarden::probe::hello {

/// Most bytes of the server's first flight the parser looks at (and the caller buffers): a
/// ServerHello carrying the largest share portwarden offers is under 2 KiB; the extensions
/// block of any ServerHello is under 64 KiB.
inline constexpr std::size_t kMaxServerReplyBytes = 72 * 1024;

/// Largest TLS record payload accepted (RFC 8446 5.1: 2^14 for plaintext).
inline constexpr std::size_t kMaxRecordPayload = 16384;

/// What the first message was.
enum class ReplyKind : std::uint8_t {
  kServerHello,
  kHelloRetryRequest,  ///< A ServerHello whose random is RFC 8446's special value.
  kAlert,
};

/// The fields group detection needs.
struct ServerReply {
  ReplyKind kind = ReplyKind::kServerHello;
  std::uint16_t legacy_version = 0;
  /// supported_versions' selected_version: 0x0304 for TLS 1.3; 0 when absent (TLS <= 1.2).
  std::uint16_t selected_version = 0;
  std::uint16_t cipher_suite = 0;
  /// key_share: the server's share's group (ServerHello) or selected_group (HRR).
  std::optional<std::uint16_t> group;
  std::size_t key_exchange_size = 0;   ///< Bytes of the server's share (ServerHello only).
  std::uint8_t alert_level = 0;        ///< kAlert: 1 warning, 2 fatal.
  std::uint8_t alert_description = 0;  ///< kAlert: RFC 8446 6 (40 = handshake_failure, ...).
};

/// Why there is no ServerReply (yet).
struct ReplyError {
  bool incomplete = false;  ///< More bytes may complete it: read on (within the caps).
  std::string reason;       ///< For a malformed reply: what was wrong, for the log line.
};

/// Parses the start of `bytes` (everything read from the server so far). Bytes after the
/// first complete message (ChangeCipherSpec, encrypted records) are ignored. Input longer
/// than kMaxServerReplyBytes is looked at only up to that size.
std::expected<ServerReply, ReplyError> ParseServerReply(std::span<const std::uint8_t> bytes);

/// RFC 8446 4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest").
inline constexpr std::uint8_t kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

}  // namespace portwarden::probe::hello
