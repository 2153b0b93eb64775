#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "agent/core/unique_fd.h"  // UniqueFd, used with these handles throughout the probe

/// RAII owners for OpenSSL handles, one for every kind the agent and its HTTP front hold.
namespace portwarden {

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

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

using UniqueSslCtx = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using UniqueSsl = std::unique_ptr<SSL, SslDeleter>;
using UniqueX509 = std::unique_ptr<X509, X509Deleter>;
using UniqueX509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
using UniqueEvpMd = std::unique_ptr<EVP_MD, EvpMdDeleter>;
using UniqueBio = std::unique_ptr<BIO, BioDeleter>;
using UniqueGeneralNames = std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>;
using UniqueEvpPkey = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

}  // namespace portwarden
