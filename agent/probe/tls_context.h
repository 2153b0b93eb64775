#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/probe/openssl_handles.h"
#include "agent/probe/phase_error.h"

namespace portwarden::probe {

/// What a client SSL_CTX depends on: the trust store and the client credentials.
struct TlsContextKey {
  std::string ca_file;  ///< Empty with ca_path empty = the system store (hashed directory).
  std::string ca_path;
  std::string cert_file;  ///< Client certificate chain for mTLS, PEM; empty = none.
  std::string key_file;

  auto operator<=>(const TlsContextKey&) const = default;
};

/// Client SSL_CTXs shared by all probes with the same key, built on first use: loading a
/// trust store for every probe would cost more than the handshake. The verify callback
/// records errors instead of failing (see tls_handshake.h). Thread-safe.
class TlsContextCache {
 public:
  /// The context for `key`; the returned pointer keeps it alive even after Clear().
  PhaseResult<std::shared_ptr<SSL_CTX>> Get(const TlsContextKey& key);

  /// Forgets every context (after a config reload, files may have changed).
  void Clear();

 private:
  std::mutex mutex_;
  std::map<TlsContextKey, std::shared_ptr<SSL_CTX>> contexts_;
};

}  // namespace portwarden::probe
