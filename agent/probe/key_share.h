#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agent/core/error.h"
#include "agent/probe/tls_groups.h"

/// Client key shares for group detection. Detection stops at the server's first reply and
/// never derives a key, so no share has to be decapsulated or kept secret; but a server that
/// selects a group validates the share before it answers (a point off the curve, an FFDHE
/// value out of range or an ML-KEM key failing FIPS 203's modulus check is refused with an
/// illegal_parameter alert), so every share must be well-formed: classical ones are real
/// OpenSSL-generated public keys (the private half is thrown away), ML-KEM encapsulation keys
/// are random but well-formed (every coefficient below q). Thread-safe.
namespace portwarden::probe::groups {

/// ML-KEM's modulus q (FIPS 203).
inline constexpr std::uint16_t kMlKemQ = 3329;

/// Bytes of randomness EncodeMlKemKey needs for rank `k`: two per coefficient, 32 for rho.
constexpr std::size_t MlKemRandomBytes(int k) {
  return 2 * 256 * static_cast<std::size_t>(k) + 32;
}

/// A well-formed ML-KEM encapsulation key of rank `k` from `random` (MlKemRandomBytes(k)
/// bytes): 256·k coefficients, each a 16-bit random value reduced mod q, ByteEncode12-packed
/// (FIPS 203 algorithm 5), followed by 32 random bytes as rho. Pure.
std::vector<std::uint8_t> EncodeMlKemKey(int k, std::span<const std::uint8_t> random);

/// Whether `key` passes FIPS 203's encapsulation-key check (7.2): the right size for rank `k`
/// and every 12-bit coefficient below q. Pure.
bool MlKemKeyWellFormed(int k, std::span<const std::uint8_t> key);

/// A fresh client key_exchange for `group`, of exactly group.client_share_size bytes.
Result<std::vector<std::uint8_t>> MakeKeyShare(const Group& group);

/// How long SharedKeyShare() reuses a share.
inline constexpr std::chrono::minutes kShareLifetime{10};

/// MakeKeyShare(group), made at most once per kShareLifetime per group and process: key
/// generation (FFDHE-3072, P-521, ...) is most of a group probe's CPU, and as no key is ever
/// derived from a share (its private half is discarded at once) reusing the public half across
/// connections exposes nothing. Thread-safe.
Result<std::shared_ptr<const std::vector<std::uint8_t>>> SharedKeyShare(const Group& group);

}  // namespace portwarden::probe::groups
