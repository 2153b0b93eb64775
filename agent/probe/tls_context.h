#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/core/openssl_handles.h"
#include "agent/probe/phase_error.h"

namespace portwarden::probe {

/// What a client SSL_CTX depends on: the trust store and the client credentials.
struct TlsContextKey {
  std::string ca_file;  ///< Empty with ca_path empty = the system store (hashed directory).
  std::string ca_path;
  std::string cert_file;  ///< Client certificate chain for mTLS, PEM; empty = none.
  std::string key_file;
  /// Posture handshakes (agent/posture/): min = max protocol version (TLS1_VERSION, ...;
  /// 0 = any), the TLS <= 1.2 cipher list ("" = OpenSSL's default) and whether to capture
  /// HandshakeEvidence (which also asks for a stapled OCSP response and SCTs). Posture
  /// contexts run at security level 0, so a legacy version or a weak chain still handshakes.
  int version = 0;
  std::string ciphers{};
  bool evidence = false;

  auto operator<=>(const TlsContextKey&) const = default;
};

/// A file or directory as stat() sees it: replacing, rewriting or touching it (or adding a
/// file to a directory) changes at least one field; a missing file has `exists` false.
struct FileStamp {
  bool exists = false;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

/// The stamp of `path` (following symbolic links).
FileStamp StampOf(const std::string& path);

/// Client SSL_CTXs shared by all probes with the same key and kept across cycles: building a
/// context and loading its trust store costs more than a handshake. A context is dropped when
/// one of its files changes, checked with one stat() per file per cycle, so a renewed CA file
/// or client certificate is used from the next cycle on. A failed build is kept for the rest of
/// its cycle only. The verify callback records errors instead of failing (see
/// tls_handshake.h). Thread-safe.
class TlsContextCache {
 public:
  /// The context for `key` (built on first use); the pointer keeps it alive after it is
  /// dropped.
  PhaseResult<std::shared_ptr<SSL_CTX>> Get(const TlsContextKey& key);

  /// At the start of a cycle: drops the contexts whose files changed, those the previous
  /// cycle did not use (their endpoints are gone) and failed builds.
  void Revalidate();

 private:
  struct Entry {
    PhaseResult<std::shared_ptr<SSL_CTX>> ctx;
    std::vector<FileStamp> stamps;  // Of FilesOf(key), taken before the build.
    bool used = true;
  };

  std::mutex mutex_;
  std::map<TlsContextKey, Entry> contexts_;
};

/// The files a context for `key` is built from (the system store's directory for the
/// default trust store).
std::vector<std::string> FilesOf(const TlsContextKey& key);

}  // namespace portwarden::probe
