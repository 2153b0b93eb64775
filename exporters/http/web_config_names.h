#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "exporters/http/web_config.h"

namespace portwarden::exporters::http {

/// Go's crypto/tls name of a secure cipher suite -> OpenSSL's name. TLS 1.3 suites map to ""
/// (Go does not let them be configured; neither do we). nullopt = not a name Go accepts.
std::optional<std::string_view> OpenSslCipherName(std::string_view go_name);

/// exporter-toolkit's curve name ("X25519", "CurveP256", ...) -> OpenSSL group name.
std::optional<std::string_view> OpenSslGroupName(std::string_view go_name);

/// "TLS10" ... "TLS13" -> protocol version number (0x0301 ... 0x0304).
std::optional<std::uint16_t> TlsVersionNumber(std::string_view name);

/// exporter-toolkit's `client_auth_type` names ("" = NoClientCert).
std::optional<ClientAuth> ClientAuthByName(std::string_view name);

}  // namespace portwarden::exporters::http
