// The web config reader: YAML (yaml-cpp, whose exceptions stop here) -> WebConfig, checked the
// way exporter-toolkit checks it (strict keys, known enum names, allowed headers, bcrypt
// hashes, consistent TLS settings). Pure: the caller reads the file.
#include "exporters/http/web_config.h"

#include <algorithm>
#include <functional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "exporters/http/web_config_names.h"
#include "exporters/http/yaml_reader.h"

namespace portwarden::exporters::http {
namespace {

using Fields = YamlReader::Fields;
using Reader = YamlReader;

// Values exporter-toolkit allows for each configurable header (empty = any value).
const std::map<std::string, std::vector<std::string>>& AllowedHeaders() {
  static const std::map<std::string, std::vector<std::string>> kHeaders = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  return kHeaders;
}

Result<std::string> Cipher(const std::string& name) {
  if (auto openssl = OpenSslCipherName(name)) {
    return std::string(*openssl);
  }
  return Fail("unknown cipher: " + name.substr(0, 64));
}

Result<std::string> Curve(const std::string& name) {
  if (auto openssl = OpenSslGroupName(name)) {
    return std::string(*openssl);
  }
  return Fail("unknown curve: " + name.substr(0, 64));
}

Result<std::string> Same(const std::string& text) {
  return text;
}

Status Version(const Reader& r,
               std::uint16_t& out,
               const YAML::Node& node,
               const std::string& path) {
  std::string name;
  return r.Into(name, node, path).and_then([&]() -> Status {
    auto version = TlsVersionNumber(name);
    if (!version) {
      return r.Err(node, path, "unknown TLS version: " + name.substr(0, 64));
    }
    out = *version;
    return {};
  });
}

Status ClientAuthType(const Reader& r,
                      ClientAuth& out,
                      const YAML::Node& node,
                      const std::string& path) {
  std::string name;
  return r.Into(name, node, path).and_then([&]() -> Status {
    auto auth = ClientAuthByName(name);
    if (!auth) {
      return r.Err(node, path, "invalid ClientAuth: " + name.substr(0, 64));
    }
    out = *auth;
    return {};
  });
}

Status ReadTls(const Reader& r, TlsServerConfig& t, const YAML::Node& node) {
  std::vector<std::string> sans;
  bool has_sans = false;
  const Fields fields = {
      {"cert_file", [&](auto& n, auto& p) { return r.Path(t.cert_file, n, p); }},
      {"key_file", [&](auto& n, auto& p) { return r.Path(t.key_file, n, p); }},
      {"client_ca_file", [&](auto& n, auto& p) { return r.Path(t.client_ca_file, n, p); }},
      {"cert", [&](auto& n, auto& p) { return r.Into(t.cert, n, p); }},
      {"key", [&](auto& n, auto& p) { return r.Into(t.key, n, p); }},
      {"client_ca", [&](auto& n, auto& p) { return r.Into(t.client_ca, n, p); }},
      {"client_auth_type",
       [&](auto& n, auto& p) { return ClientAuthType(r, t.client_auth, n, p); }},
      {"cipher_suites", [&](auto& n, auto& p) { return r.List(t.cipher_suites, n, p, Cipher); }},
      {"curve_preferences",
       [&](auto& n, auto& p) { return r.List(t.curve_preferences, n, p, Curve); }},
      {"min_version", [&](auto& n, auto& p) { return Version(r, t.min_version, n, p); }},
      {"max_version", [&](auto& n, auto& p) { return Version(r, t.max_version, n, p); }},
      {"prefer_server_cipher_suites",
       [&](auto& n, auto& p) { return r.Bool(t.prefer_server_cipher_suites, n, p); }},
      {"client_allowed_sans",
       [&](auto& n, auto& p) {
         has_sans = !n.IsNull();
         return r.List(sans, n, p, Same);
       }},
  };
  return r.Map(node, "tls_server_config", fields).and_then([&]() -> Status {
    if (has_sans) {
      t.client_allowed_sans = std::move(sans);
    }
    std::erase(t.cipher_suites, "");  // TLS 1.3 suites: not configurable, as in Go
    return {};
  });
}

// The cross-field checks exporter-toolkit makes when it builds its tls.Config.
Status CheckTls(const Reader& r, const TlsServerConfig& t, const YAML::Mark& node) {
  const std::string path = "tls_server_config";
  if (!t.Enabled()) {
    return {};
  }
  if (t.cert_file.empty() && t.cert.empty()) {
    return r.Err(node, path, "missing one of cert or cert_file");
  }
  if (t.key_file.empty() && t.key.empty()) {
    return r.Err(node, path, "missing one of key or key_file");
  }
  if ((!t.client_ca_file.empty() || !t.client_ca.empty()) &&
      t.client_auth == ClientAuth::kNoClientCert) {
    return r.Err(node, path, "client CA's have been configured without a Client Auth Policy");
  }
  if (t.client_allowed_sans && t.client_auth != ClientAuth::kRequireAnyClientCert &&
      t.client_auth != ClientAuth::kRequireAndVerifyClientCert) {
    return r.Err(node, path,
                 "client_allowed_sans requires client_auth_type to be one of "
                 "RequireAnyClientCert or RequireAndVerifyClientCert");
  }
  if (t.min_version > t.max_version) {
    return r.Err(node, path, "min_version is above max_version");
  }
  return {};
}

Status CheckHeaders(const Reader& r, const WebConfig& c, const YAML::Mark& node) {
  for (const auto& [name, value] : c.headers) {
    const auto allowed = AllowedHeaders().find(name);
    if (allowed == AllowedHeaders().end()) {
      return r.Err(node, "http_server_config.headers",
                   "HTTP header \"" + name.substr(0, 64) + "\" can not be configured");
    }
    const auto& values = allowed->second;
    if (!values.empty() && std::find(values.begin(), values.end(), value) == values.end()) {
      return r.Err(node, "http_server_config.headers",
                   "invalid value for " + name + ": expected one of " +
                       (values.size() == 1 ? values[0] : values[0] + ", " + values[1]));
    }
    if (value.find_first_of("\r\n") != std::string::npos) {
      return r.Err(node, "http_server_config.headers", "value of " + name + " has a line break");
    }
  }
  return {};
}

Status CheckUsers(const Reader& r, const WebConfig& c, const YAML::Mark& node) {
  for (const auto& [user, hash] : c.users) {
    if (!IsBcryptHash(hash)) {
      return r.Err(node, "basic_auth_users",
                   "user \"" + user.substr(0, 64) + "\": not a bcrypt hash ($2y$, $2a$ or $2b$)");
    }
  }
  return {};
}

Status ReadRateLimit(const Reader& r, RateLimitConfig& out, const YAML::Node& node) {
  const Fields fields = {
      {"burst",
       [&](auto& n, auto& p) -> Status {
         if (!n.IsScalar() || !YAML::convert<int>::decode(n, out.burst) || out.burst < 0) {
           return r.Err(n, p, "expected a non-negative integer");
         }
         return {};
       }},
      {"interval",
       [&](auto& n, auto& p) -> Status {
         std::string text;
         return r.Into(text, n, p).and_then([&]() -> Status {
           auto duration = ParseDuration(text);
           if (!duration) {
             return r.Err(n, p, duration.error().message);
           }
           out.interval = *duration;
           return {};
         });
       }},
  };
  return r.Map(node, "rate_limit", fields);
}

Status ReadRoot(const Reader& r, WebConfig& c, const YAML::Node& root) {
  YAML::Mark tls_node = YAML::Mark::null_mark();
  YAML::Mark http_node = YAML::Mark::null_mark();
  YAML::Mark users_node = YAML::Mark::null_mark();
  const Fields http_fields = {
      {"http2", [&](auto& n, auto& p) { return r.Bool(c.http2, n, p); }},
      {"headers", [&](auto& n, auto& p) { return r.StringMap(c.headers, n, p); }},
  };
  const Fields fields = {
      {"tls_server_config",
       [&](auto& n, auto&) {
         tls_node = n.Mark();
         return ReadTls(r, c.tls, n);
       }},
      {"http_server_config",
       [&](auto& n, auto& p) {
         http_node = n.Mark();
         return r.Map(n, p, http_fields);
       }},
      {"basic_auth_users",
       [&](auto& n, auto& p) {
         users_node = n.Mark();
         return r.StringMap(c.users, n, p);
       }},
      {"rate_limit", [&](auto& n, auto&) { return ReadRateLimit(r, c.rate_limit, n); }},
  };
  return r.Map(root, "", fields)
      .and_then([&] { return CheckTls(r, c.tls, tls_node); })
      .and_then([&] { return CheckHeaders(r, c, http_node); })
      .and_then([&] { return CheckUsers(r, c, users_node); });
}

}  // namespace

bool TlsServerConfig::Enabled() const {
  return !cert_file.empty() || !cert.empty() || !key_file.empty() || !key.empty() ||
         !client_ca_file.empty() || !client_ca.empty() || client_auth != ClientAuth::kNoClientCert;
}

bool IsBcryptHash(std::string_view hash) {
  // $2b$10$ + 22 characters of salt + 31 of hash
  if (hash.size() != 60 ||
      !(hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$"))) {
    return false;
  }
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(hash[4]) || !digit(hash[5]) || hash[6] != '$') {
    return false;
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  return cost >= 4 && cost <= 31 &&
         hash.substr(7).find_first_not_of(
             "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
             std::string_view::npos;
}

Result<WebConfig> ParseWebConfig(std::string_view yaml,
                                 std::string_view name,
                                 std::string_view base_dir) {
  const Reader reader(name, base_dir);
  WebConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (Status status = ReadRoot(reader, config, root); !status) {
      return std::unexpected(status.error());
    }
  } catch (const YAML::Exception& error) {
    std::string where(name);
    if (!error.mark.is_null()) {
      where +=
          ":" + std::to_string(error.mark.line + 1) + ":" + std::to_string(error.mark.column + 1);
    }
    return Fail(where + ": invalid YAML: " + error.msg.substr(0, 200));
  }
  return config;
}

}  // namespace portwarden::exporters::http
