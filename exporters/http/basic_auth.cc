#include "exporters/http/basic_auth.h"

#include <crypt.h>

#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "exporters/http/web_config.h"

namespace portwarden::exporters::http {
namespace {

// exporter-toolkit's fixed hash (of "fakepassword") for users that do not exist.
constexpr std::string_view kFakeHash =
    "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

std::string CacheKey(std::string_view user, std::string_view hash, std::string_view password) {
  std::string input;
  for (std::string_view part : {user, hash, password}) {
    input += std::to_string(part.size()) + ":";  // length-prefixed: no ambiguity between parts
    input += part;
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr);
  OPENSSL_cleanse(input.data(), input.size());
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

bool BcryptMatches(std::string_view hash, std::string_view password) {
  if (!IsBcryptHash(hash) || password.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string key(password);
  const std::string setting(hash);
  auto data = std::make_unique<crypt_data>();  // ~32 KB: not on the stack
  const char* out = crypt_rn(key.c_str(), setting.c_str(), data.get(), sizeof *data);
  if (out == nullptr || out[0] == '*') {
    return false;
  }
  const std::string_view computed(out);
  const bool match = computed.size() == hash.size() &&
                     CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(data.get(), sizeof *data);
  return match;
}

bool ParseBasicAuthorization(std::string_view header, std::string& user, std::string& password) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() < kScheme.size() || header.size() > 4096) {
    return false;
  }
  for (std::size_t i = 0; i + 1 < kScheme.size(); ++i) {  // the scheme is case-insensitive
    if ((header[i] | 0x20) != (kScheme[i] | 0x20)) {
      return false;
    }
  }
  std::string_view encoded = header.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') {
    encoded.remove_prefix(1);
  }
  if (encoded.size() % 4 != 0) {
    return false;
  }
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded.data()),
                                static_cast<int>(encoded.size()));
  if (n < 0) {
    return false;
  }
  // EVP_DecodeBlock counts the padding as zero bytes: drop them.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = encoded.size(); i > 0 && encoded[i - 1] == '=' && size > 0; --i) {
    --size;
  }
  decoded.resize(size);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) {
    return false;
  }
  user = decoded.substr(0, colon);
  password = decoded.substr(colon + 1);
  return true;
}

bool BasicAuthenticator::Allowed(const std::map<std::string, std::string>& users,
                                 std::string_view authorization) {
  std::string user;
  std::string password;
  if (!ParseBasicAuthorization(authorization, user, password)) {
    return false;
  }
  const auto it = users.find(user);
  const bool known = it != users.end();
  const std::string_view hash = known ? std::string_view(it->second) : kFakeHash;
  const std::string key = CacheKey(user, hash, password);
  {
    std::lock_guard lock(cache_mutex_);
    if (const auto cached = cache_.find(key); cached != cache_.end()) {
      return cached->second && known;
    }
  }
  bool ok = false;
  {
    std::lock_guard lock(bcrypt_mutex_);
    ok = BcryptMatches(hash, password) && known;
  }
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() >= kCacheEntries) {
    cache_.erase(cache_.begin());
  }
  cache_.emplace(key, ok);
  return ok;
}

}  // namespace portwarden::exporters::http
