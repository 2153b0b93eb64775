#include "agent/probe/tls_context.h"

#include <sys/stat.h>

#include <openssl/err.h>

#include "agent/probe/failure_reason.h"
#include "agent/probe/handshake_evidence.h"
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

// Posture contexts: a pinned version, a cipher list, evidence capture. Security level 0 (what
// "@SECLEVEL=0" in a cipher string does), since Debian's level 2 refuses TLS 1.0/1.1, SHA-1
// handshake signatures and weak keys before the server could show that it accepts them.
PhaseResult<bool> ApplyPosture(SSL_CTX* ctx, const TlsContextKey& key) {
  if (key.version == 0 && key.ciphers.empty() && !key.evidence) {
    return true;
  }
  SSL_CTX_set_security_level(ctx, 0);
  if (key.version != 0 && (SSL_CTX_set_min_proto_version(ctx, key.version) != 1 ||
                           SSL_CTX_set_max_proto_version(ctx, key.version) != 1)) {
    return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("protocol version")});
  }
  if (!key.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, key.ciphers.c_str()) != 1) {
    return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("cipher list")});
  }
  if (key.evidence && !RequestEvidence(ctx)) {
    return std::unexpected(PhaseError{failure::kTlsSetup, OpenSslErrorText("evidence")});
  }
  return true;
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
  // Free the record buffers (about 17 KB each way) whenever they are empty: a probe spends most
  // of its handshake waiting for the server, so the slots in flight stop holding 34 KB each.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
  if (auto posture = ApplyPosture(ctx.get(), key); !posture) {
    return std::unexpected(posture.error());
  }
  // Offer ALPN as a browser would, so the probe reports what the server selects (and a
  // server that insists on ALPN answers as it would to its clients).
  static constexpr unsigned char kAlpn[] = "\x02h2\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof(kAlpn) - 1);
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

std::vector<FileStamp> StampsOf(const TlsContextKey& key) {
  std::vector<FileStamp> stamps;
  for (const auto& path : FilesOf(key)) {
    stamps.push_back(StampOf(path));
  }
  return stamps;
}

}  // namespace

FileStamp StampOf(const std::string& path) {
  struct stat info {};

  if (::stat(path.c_str(), &info) != 0) {
    return {};
  }
  const auto ns = [](const timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  return {true,
          static_cast<std::uint64_t>(info.st_dev),
          static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::int64_t>(info.st_size),
          ns(info.st_mtim),
          ns(info.st_ctim)};
}

std::vector<std::string> FilesOf(const TlsContextKey& key) {
  std::vector<std::string> files;
  if (key.ca_file.empty() && key.ca_path.empty()) {
    files.emplace_back(X509_get_default_cert_dir());
  }
  for (const std::string* path : {&key.ca_file, &key.ca_path, &key.cert_file, &key.key_file}) {
    if (!path->empty()) {
      files.push_back(*path);
    }
  }
  return files;
}

PhaseResult<std::shared_ptr<SSL_CTX>> TlsContextCache::Get(const TlsContextKey& key) {
  const std::lock_guard lock(mutex_);
  auto it = contexts_.find(key);
  if (it == contexts_.end()) {
    // Stamp first: a file changed during the build is seen as changed at the next check.
    std::vector<FileStamp> stamps = StampsOf(key);
    it = contexts_.emplace(key, Entry{Build(key), std::move(stamps)}).first;
  }
  it->second.used = true;
  return it->second.ctx;
}

void TlsContextCache::Revalidate() {
  const std::lock_guard lock(mutex_);
  for (auto it = contexts_.begin(); it != contexts_.end();) {
    // A failed build is retried every cycle (it may not be about the files at all).
    const bool keep =
        it->second.used && it->second.ctx.has_value() && it->second.stamps == StampsOf(it->first);
    it->second.used = false;
    it = keep ? std::next(it) : contexts_.erase(it);
  }
}

}  // namespace portwarden::probe
