#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "agent/core/error.h"
#include "exporters/http/web_config.h"

namespace portwarden::exporters::http {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

/// Builds the server-side SSL_CTX for `tls` the way exporter-toolkit configures Go's
/// tls.Config: certificate chain and key (files or inline PEM, read now), protocol range,
/// TLS <= 1.2 cipher suites, groups, client certificate policy and CAs. Only HTTP/1.1 is
/// offered by ALPN. Errors name the setting and carry OpenSSL's reason.
Result<SslCtxPtr> BuildServerContext(const TlsServerConfig& tls);

/// True when the peer's leaf certificate has a DNS, email, IP or URI SAN equal to one of
/// `allowed` (exporter-toolkit's `client_allowed_sans`).
bool PeerSanAllowed(SSL* ssl, const std::vector<std::string>& allowed);

}  // namespace portwarden::exporters::http
