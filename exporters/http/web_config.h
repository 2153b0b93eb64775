#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/duration.h"
#include "agent/core/error.h"

namespace portwarden::exporters::http {

/// exporter-toolkit's `client_auth_type` values, with Go's crypto/tls meaning.
enum class ClientAuth : std::uint8_t {
  kNoClientCert,                ///< never asks for a certificate
  kRequestClientCert,           ///< asks, accepts none or any (unverified)
  kRequireAnyClientCert,        ///< demands one, does not verify it
  kVerifyClientCertIfGiven,     ///< asks; verifies one if sent
  kRequireAndVerifyClientCert,  ///< demands one and verifies it
};

/// `tls_server_config`. File paths are already joined with the web config's directory.
struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  std::string cert;       ///< Inline PEM (`cert`), used when cert_file is empty.
  std::string key;        ///< Inline PEM (`key`), used when key_file is empty.
  std::string client_ca;  ///< Inline PEM (`client_ca`), used when client_ca_file is empty.
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  std::vector<std::string> cipher_suites;      ///< OpenSSL names of TLS <= 1.2 suites.
  std::vector<std::string> curve_preferences;  ///< OpenSSL group names ("X25519", "P-256").
  std::uint16_t min_version = 0x0303;          ///< TLS 1.2 (OpenSSL's TLS1_2_VERSION)
  std::uint16_t max_version = 0x0304;          ///< TLS 1.3
  bool prefer_server_cipher_suites = true;
  std::optional<std::vector<std::string>> client_allowed_sans;

  /// True when any TLS field is set (exporter-toolkit's IsEnabled): the server speaks TLS.
  bool Enabled() const;
};

/// `rate_limit`: at most `burst` requests at once, refilled one per `interval`.
struct RateLimitConfig {
  int burst = 0;
  Duration interval{0};  ///< 0 = no limit
};

/// The exporter-toolkit web configuration file (the one Prometheus users already have for
/// node_exporter): TLS, basic auth users with bcrypt hashes, extra response headers.
struct WebConfig {
  TlsServerConfig tls;
  std::map<std::string, std::string> headers;  ///< `http_server_config.headers`
  bool http2 = true;                           ///< accepted; portwarden serves HTTP/1.1 only
  std::map<std::string, std::string> users;    ///< `basic_auth_users`: user -> bcrypt hash
  RateLimitConfig rate_limit;
};

/// Parses the YAML text of a web config file. Pure (no file access): `name` stands in for the
/// file name in errors ("<name>:<line>:<column>: <key>: <what>") and relative paths are joined
/// with `base_dir`. Unknown keys, wrong types, unknown enum values, headers exporter-toolkit
/// does not allow and password entries that are not bcrypt hashes are errors.
Result<WebConfig> ParseWebConfig(std::string_view yaml,
                                 std::string_view name,
                                 std::string_view base_dir);

/// Whether `hash` has the shape of a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 chars).
bool IsBcryptHash(std::string_view hash);

}  // namespace portwarden::exporters::http
