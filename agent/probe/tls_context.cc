#include "agent/probe/tls_context.h"

#include <openssl/err.h>

#include "agent/probe/failure_reason.h"
#include "agent/probe/tls_handshake.h"

namespace portwarden::probe {
namespace {

std::string OpenSslErrorText(std::string_view what) {
  char buffer[256] = "unknown error";
  if (const unsigned long code = ERR_peek_last_error(); code != 0) {
    ERR_error_string_n(code, buffer, sizeof(buffer));
  }
  ERR_clear_error();
  return std::string(what) + ": " + buffer;
}

PhaseResult<std::shared_ptr<SSL_CTX>> Build(const TlsContextKey& key) {
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_client_method()), SslCtxDeleter{});
  if (!ctx) {
    return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("SSL_CTX_new")});
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, RecordingVerifyCallback);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  // Read whole socket buffers instead of one read() per TLS record header and body: the
  // server's first flight is six records, twelve system calls without read-ahead.
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  int loaded = 1;
  if (key.ca_file.empty() && key.ca_path.empty()) {
    // The hashed directory is read lazily, one issuer at a time: cheaper than the bundle.
    loaded = SSL_CTX_load_verify_dir(ctx.get(), X509_get_default_cert_dir());
  } else {
    loaded = SSL_CTX_load_verify_locations(ctx.get(),
                                           key.ca_file.empty() ? nullptr : key.ca_file.c_str(),
                                           key.ca_path.empty() ? nullptr : key.ca_path.c_str());
  }
  if (loaded != 1) {
    return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("load CA")});
  }
  if (key.cert_file.empty()) {
    SSL_CTX_set_client_cert_cb(ctx.get(), RecordMissingClientCert);
  } else {
    const std::string& key_file = key.key_file.empty() ? key.cert_file : key.key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), key.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("client cert")});
    }
  }
  return ctx;
}

}  // namespace

PhaseResult<std::shared_ptr<SSL_CTX>> TlsContextCache::Get(const TlsContextKey& key) {
  const std::lock_guard lock(mutex_);
  if (auto it = contexts_.find(key); it != contexts_.end()) {
    return it->second;
  }
  auto ctx = Build(key);
  if (ctx) {
    contexts_.emplace(key, *ctx);
  }
  return ctx;
}

void TlsContextCache::Clear() {
  const std::lock_guard lock(mutex_);
  contexts_.clear();
}

}  // namespace portwarden::probe
