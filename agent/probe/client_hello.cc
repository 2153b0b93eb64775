#include "agent/probe/client_hello.h"

#include <cstddef>

namespace portwarden::probe::hello {
namespace {

// Extension types (RFC 8446 4.2, RFC 6066 3).
constexpr std::uint16_t kServerName = 0;
constexpr std::uint16_t kSupportedGroups = 10;
constexpr std::uint16_t kSignatureAlgorithms = 13;
constexpr std::uint16_t kSupportedVersions = 43;
constexpr std::uint16_t kKeyShare = 51;
constexpr std::uint16_t kTls13 = 0x0304;

/// Appends big-endian integers and length-prefixed blocks; a block's length is patched in
/// when it is closed, so nested vectors need no size computed up front.
class Writer {
 public:
  void U8(std::uint8_t value) { bytes_.push_back(value); }

  void U16(std::uint16_t value) {
    U8(static_cast<std::uint8_t>(value >> 8));
    U8(static_cast<std::uint8_t>(value));
  }

  void Bytes(std::span<const std::uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
  }

  /// Opens a block with a `width`-byte length prefix (1, 2 or 3); returns its handle.
  std::size_t Open(int width) {
    const std::size_t at = bytes_.size();
    bytes_.insert(bytes_.end(), static_cast<std::size_t>(width), 0);
    widths_.push_back(width);
    return at;
  }

  /// Closes the innermost block opened at `at`, writing its length.
  void Close(std::size_t at) {
    const int width = widths_.back();
    widths_.pop_back();
    const std::size_t length = bytes_.size() - at - static_cast<std::size_t>(width);
    for (int i = 0; i < width; ++i) {
      bytes_[at + static_cast<std::size_t>(i)] =
          static_cast<std::uint8_t>(length >> (8 * (width - 1 - i)));
    }
  }

  std::vector<std::uint8_t> Take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
  std::vector<int> widths_;
};

void ServerNameExtension(Writer& out, std::string_view name) {
  out.U16(kServerName);
  const auto extension = out.Open(2);
  const auto list = out.Open(2);
  out.U8(0);  // host_name
  const auto host = out.Open(2);
  out.Bytes({reinterpret_cast<const std::uint8_t*>(name.data()), name.size()});
  out.Close(host);
  out.Close(list);
  out.Close(extension);
}

void U16ListExtension(Writer& out,
                      std::uint16_t type,
                      std::span<const std::uint16_t> values,
                      int list_width) {
  out.U16(type);
  const auto extension = out.Open(2);
  const auto list = out.Open(list_width);
  for (const std::uint16_t value : values) {
    out.U16(value);
  }
  out.Close(list);
  out.Close(extension);
}

void KeyShareExtension(Writer& out, std::uint16_t group, std::span<const std::uint8_t> share) {
  out.U16(kKeyShare);
  const auto extension = out.Open(2);
  const auto client_shares = out.Open(2);
  out.U16(group);
  const auto key_exchange = out.Open(2);
  out.Bytes(share);
  out.Close(key_exchange);
  out.Close(client_shares);
  out.Close(extension);
}

}  // namespace

std::vector<std::uint8_t> BuildClientHello(const ClientHelloSpec& spec) {
  Writer out;
  out.U8(0x16);  // handshake record
  out.U16(0x0301);
  const auto record = out.Open(2);
  out.U8(0x01);  // client_hello
  const auto message = out.Open(3);
  out.U16(0x0303);
  out.Bytes(spec.random);
  const auto session_id = out.Open(1);
  out.Bytes(spec.session_id);
  out.Close(session_id);
  const auto suites = out.Open(2);
  for (const std::uint16_t suite : kCipherSuites) {
    out.U16(suite);
  }
  out.Close(suites);
  out.U8(1);  // one compression method: null
  out.U8(0);
  const auto extensions = out.Open(2);
  if (!spec.server_name.empty() && spec.server_name.size() <= 255) {
    ServerNameExtension(out, spec.server_name);
  }
  const std::array<std::uint16_t, 1> groups{spec.group};
  U16ListExtension(out, kSupportedGroups, groups, 2);
  U16ListExtension(out, kSignatureAlgorithms, kSignatureSchemes, 2);
  const std::array<std::uint16_t, 1> versions{kTls13};
  U16ListExtension(out, kSupportedVersions, versions, 1);
  KeyShareExtension(out, spec.group, spec.key_share);
  out.Close(extensions);
  out.Close(message);
  out.Close(record);
  return out.Take();
}

}  // namespace portwarden::probe::hello
