#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

/// The TLS 1.3 key-exchange groups portwarden detects (docs/metrics.md,
/// portwarden_tls_group_supported): their IANA codepoints, the names the `group` label uses
/// (the IANA "TLS Supported Groups" registry's spelling), and how a client's key share for
/// each is made. Pure data; thread-safe.
namespace portwarden::probe::groups {

/// How the client's key share of a group is built (key_share.h).
enum class ShareKind : std::uint8_t {
  kClassical,       ///< One OpenSSL-generated public key (ECDH, X25519/X448, FFDHE).
  kMlKemFirst,      ///< ML-KEM encapsulation key, then the classical share (X25519MLKEM768).
  kClassicalFirst,  ///< The classical share, then the ML-KEM key (SecP256r1MLKEM768, ...).
};

/// One group of the documented set.
struct Group {
  std::uint16_t codepoint = 0;
  std::string_view name;          ///< IANA spelling, the `group` label: "x25519", ...
  std::string_view openssl_name;  ///< Classical part as OpenSSL names it: "X25519", "P-256".
  std::string_view openssl_type;  ///< Its key type for EVP_PKEY keygen: "X25519", "EC", "DH".
  ShareKind kind = ShareKind::kClassical;
  int mlkem_k = 0;                    ///< ML-KEM module rank: 3 = ML-KEM-768, 4 = ML-KEM-1024.
  std::size_t client_share_size = 0;  ///< Bytes of the client's key_exchange.
  std::size_t server_share_size = 0;  ///< Bytes of the server's key_exchange in its ServerHello.
};

/// Every group portwarden probes, in the order it probes them.
std::span<const Group> All();

/// The group with IANA name `name` (exact spelling), if it is in the set.
std::optional<Group> FindByName(std::string_view name);

/// The group with `codepoint`, if it is in the set.
std::optional<Group> FindByCodepoint(std::uint16_t codepoint);

/// Bytes of an ML-KEM encapsulation key of rank `k` (FIPS 203: 384·k + 32).
constexpr std::size_t MlKemEncapsulationKeySize(int k) {
  return 384 * static_cast<std::size_t>(k) + 32;
}

}  // namespace portwarden::probe::groups
