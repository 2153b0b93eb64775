#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

/// A raw TLS 1.3 ClientHello, built byte by byte for group detection (group_probe.h), where
/// OpenSSL cannot be used: Debian 12's OpenSSL 3.0 cannot offer X25519MLKEM768. Pure;
/// thread-safe.
namespace portwarden::probe::hello {

/// Everything that varies between ClientHellos. The caller supplies the random bytes, so the
/// builder is deterministic (tests compare bytes).
struct ClientHelloSpec {
  std::uint16_t group = 0;                  ///< The one group offered (supported_groups).
  std::span<const std::uint8_t> key_share;  ///< Its key_exchange, sized for the group.
  std::string_view server_name;             ///< SNI host name; "" sends no server_name.
  std::array<std::uint8_t, 32> random{};
  std::array<std::uint8_t, 32> session_id{};  ///< Middlebox compatibility (RFC 8446 D.4).
};

/// The cipher suites offered: the three of RFC 8446 every TLS 1.3 server implements.
inline constexpr std::array<std::uint16_t, 3> kCipherSuites{0x1301, 0x1302, 0x1303};

/// The signature schemes offered (signature_algorithms): ECDSA, RSA-PSS, RSA PKCS#1 and EdDSA,
/// so a server can pick one for any certificate it holds.
inline constexpr std::array<std::uint16_t, 11> kSignatureSchemes{
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0808};

/// One TLS record (content type handshake, record version 0x0301) holding a ClientHello with
/// legacy_version 0x0303, the spec's random and session id, kCipherSuites, null compression
/// and the extensions server_name (when set), supported_groups (only `group`),
/// signature_algorithms, supported_versions (only TLS 1.3) and key_share (one entry for
/// `group`). Nothing else: no PSK, no ALPN, no padding. `server_name` longer than 255 bytes
/// is not sent.
std::vector<std::uint8_t> BuildClientHello(const ClientHelloSpec& spec);

}  // namespace portwarden::probe::hello
