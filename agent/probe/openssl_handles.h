#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/// RAII owners for the C handles the prober uses: OpenSSL objects and file descriptors.
namespace portwarden::probe {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

struct X509Deleter {
  void operator()(X509* cert) const { X509_free(cert); }
};

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};

struct EvpMdDeleter {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

using UniqueSslCtx = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using UniqueSsl = std::unique_ptr<SSL, SslDeleter>;
using UniqueX509 = std::unique_ptr<X509, X509Deleter>;
using UniqueX509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
using UniqueEvpMd = std::unique_ptr<EVP_MD, EvpMdDeleter>;
using UniqueGeneralNames = std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>;

/// Owns a file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;

  explicit UniqueFd(int fd) : fd_(fd) {}

  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }

  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  ~UniqueFd() { Reset(-1); }

  int get() const { return fd_; }

  bool valid() const { return fd_ >= 0; }

  /// Gives up ownership.
  int Release() { return std::exchange(fd_, -1); }

  void Reset(int fd) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace portwarden::probe
