#include "exporters/http/web_config_names.h"

#include <array>
#include <utility>

namespace portwarden::exporters::http {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// Go's tls.CipherSuites() (the suites it does not mark insecure), as exporter-toolkit accepts
// them, with OpenSSL's names for the same suites.
constexpr std::array kCiphers = {
    Pair{"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    Pair{"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    Pair{"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    Pair{"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    Pair{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    Pair{"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    Pair{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    Pair{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    Pair{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    Pair{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    Pair{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    Pair{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    Pair{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    Pair{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    Pair{"TLS_AES_128_GCM_SHA256", ""},
    Pair{"TLS_AES_256_GCM_SHA384", ""},
    Pair{"TLS_CHACHA20_POLY1305_SHA256", ""},
};

constexpr std::array kGroups = {
    Pair{"CurveP256", "P-256"},
    Pair{"CurveP384", "P-384"},
    Pair{"CurveP521", "P-521"},
    Pair{"X25519", "X25519"},
};

template <typename Table>
std::optional<std::string_view> Find(const Table& table, std::string_view key) {
  for (const auto& [from, to] : table) {
    if (from == key) {
      return to;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> OpenSslCipherName(std::string_view go_name) {
  return Find(kCiphers, go_name);
}

std::optional<std::string_view> OpenSslGroupName(std::string_view go_name) {
  return Find(kGroups, go_name);
}

std::optional<std::uint16_t> TlsVersionNumber(std::string_view name) {
  if (name == "TLS10") {
    return 0x0301;
  }
  if (name == "TLS11") {
    return 0x0302;
  }
  if (name == "TLS12") {
    return 0x0303;
  }
  if (name == "TLS13") {
    return 0x0304;
  }
  return std::nullopt;
}

std::optional<ClientAuth> ClientAuthByName(std::string_view name) {
  if (name.empty() || name == "NoClientCert") {
    return ClientAuth::kNoClientCert;
  }
  if (name == "RequestClientCert") {
    return ClientAuth::kRequestClientCert;
  }
  if (name == "RequireAnyClientCert" || name == "RequireClientCert") {
    return ClientAuth::kRequireAnyClientCert;
  }
  if (name == "VerifyClientCertIfGiven") {
    return ClientAuth::kVerifyClientCertIfGiven;
  }
  if (name == "RequireAndVerifyClientCert") {
    return ClientAuth::kRequireAndVerifyClientCert;
  }
  return std::nullopt;
}

}  // namespace portwarden::exporters::http
