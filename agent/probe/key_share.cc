#include "agent/probe/key_share.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace portwarden::probe::groups {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

struct OpenSslDeleter {
  void operator()(unsigned char* bytes) const { OPENSSL_free(bytes); }
};

/// A fresh key of `group`'s classical part; its encoded public key as TLS sends it
/// (uncompressed point, raw X25519/X448 bytes, FFDHE value padded to the prime's size).
Result<std::vector<std::uint8_t>> ClassicalShare(const Group& group) {
  const std::string type(group.openssl_type);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type.c_str(), nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return Fail("cannot set up " + type + " key generation");
  }
  if (type == "EC" || type == "DH") {
    const std::string name(group.openssl_name);
    if (EVP_PKEY_CTX_set_group_name(ctx.get(), name.c_str()) != 1) {
      return Fail("OpenSSL does not know group " + name);
    }
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    return Fail("cannot generate a " + std::string(group.openssl_name) + " key");
  }
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(raw);
  unsigned char* encoded = nullptr;
  const std::size_t size = EVP_PKEY_get1_encoded_public_key(key.get(), &encoded);
  std::unique_ptr<unsigned char, OpenSslDeleter> owned(encoded);
  if (size == 0 || encoded == nullptr) {
    return Fail("cannot encode a " + std::string(group.openssl_name) + " public key");
  }
  return std::vector<std::uint8_t>(encoded, encoded + size);
}

Result<std::vector<std::uint8_t>> MlKemShare(int k) {
  std::vector<std::uint8_t> random(MlKemRandomBytes(k));
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return Fail("RAND_bytes failed");
  }
  return EncodeMlKemKey(k, random);
}

}  // namespace

std::vector<std::uint8_t> EncodeMlKemKey(int k, std::span<const std::uint8_t> random) {
  const std::size_t coefficients = 256 * static_cast<std::size_t>(k);
  std::vector<std::uint8_t> key;
  if (random.size() < MlKemRandomBytes(k)) {
    return key;
  }
  key.reserve(MlKemEncapsulationKeySize(k));
  auto coefficient = [&](std::size_t i) -> std::uint32_t {
    return ((std::uint32_t{random[2 * i]} << 8) | random[2 * i + 1]) % kMlKemQ;
  };
  for (std::size_t i = 0; i < coefficients; i += 2) {  // two 12-bit values in three bytes
    const std::uint32_t a = coefficient(i);
    const std::uint32_t b = coefficient(i + 1);
    key.push_back(static_cast<std::uint8_t>(a));
    key.push_back(static_cast<std::uint8_t>((a >> 8) | (b << 4)));
    key.push_back(static_cast<std::uint8_t>(b >> 4));
  }
  const auto rho = random.subspan(2 * coefficients, 32);
  key.insert(key.end(), rho.begin(), rho.end());
  return key;
}

bool MlKemKeyWellFormed(int k, std::span<const std::uint8_t> key) {
  if (key.size() != MlKemEncapsulationKeySize(k)) {
    return false;
  }
  for (std::size_t at = 0; at + 3 <= 384 * static_cast<std::size_t>(k); at += 3) {
    const std::uint32_t a = key[at] | ((key[at + 1] & 0x0Fu) << 8);
    const std::uint32_t b = (key[at + 1] >> 4) | (std::uint32_t{key[at + 2]} << 4);
    if (a >= kMlKemQ || b >= kMlKemQ) {
      return false;
    }
  }
  return true;
}

Result<std::vector<std::uint8_t>> MakeKeyShare(const Group& group) {
  auto classical = ClassicalShare(group);
  if (!classical) {
    return classical;
  }
  std::vector<std::uint8_t> share;
  if (group.kind == ShareKind::kClassical) {
    share = std::move(*classical);
  } else {
    auto mlkem = MlKemShare(group.mlkem_k);
    if (!mlkem) {
      return mlkem;
    }
    auto& first = group.kind == ShareKind::kMlKemFirst ? *mlkem : *classical;
    auto& second = group.kind == ShareKind::kMlKemFirst ? *classical : *mlkem;
    share = std::move(first);
    share.insert(share.end(), second.begin(), second.end());
  }
  if (share.size() != group.client_share_size) {
    return Fail(std::string(group.name) + " share of " + std::to_string(share.size()) +
                " bytes, expected " + std::to_string(group.client_share_size));
  }
  return share;
}

Result<std::shared_ptr<const std::vector<std::uint8_t>>> SharedKeyShare(const Group& group) {
  struct Held {
    std::shared_ptr<const std::vector<std::uint8_t>> share;
    std::chrono::steady_clock::time_point made;
  };

  static std::mutex mutex;
  static std::map<std::uint16_t, Held> held;  // one per group of All(): bounded
  const auto now = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(mutex);
    if (auto it = held.find(group.codepoint);
        it != held.end() && now - it->second.made < kShareLifetime) {
      return it->second.share;
    }
  }
  auto made = MakeKeyShare(group);  // outside the lock: FFDHE keys take milliseconds
  if (!made) {
    return std::unexpected(made.error());
  }
  auto share = std::make_shared<const std::vector<std::uint8_t>>(std::move(*made));
  const std::lock_guard lock(mutex);
  held[group.codepoint] = Held{share, now};
  return share;
}

}  // namespace portwarden::probe::groups
