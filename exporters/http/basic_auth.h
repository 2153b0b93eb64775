#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace portwarden::exporters::http {

/// Whether `password` matches the bcrypt `hash`, checked by the system's crypt library
/// (libxcrypt `crypt_rn`); compared in constant time. Thread-safe.
bool BcryptMatches(std::string_view hash, std::string_view password);

/// Checks `Authorization: Basic` headers against `basic_auth_users`, as exporter-toolkit does:
/// an unknown user is checked against a fixed hash (no user enumeration by timing), bcrypt
/// runs one at a time (it costs ~50 ms of CPU at cost 10), and verdicts are cached by a SHA-256
/// of (user, hash, password), at most kCacheEntries of them, so a scraper pays bcrypt once,
/// not every 15 s. Thread-safe.
class BasicAuthenticator {
 public:
  static constexpr std::size_t kCacheEntries = 100;

  /// True when `authorization` (the header's value, may be empty) names a user of `users`
  /// with the right password.
  bool Allowed(const std::map<std::string, std::string>& users, std::string_view authorization);

 private:
  std::mutex cache_mutex_;
  std::unordered_map<std::string, bool> cache_;
  std::mutex bcrypt_mutex_;
};

/// Decodes "Basic base64(user:password)"; false when it is not that.
bool ParseBasicAuthorization(std::string_view header, std::string& user, std::string& password);

}  // namespace portwarden::exporters::http
