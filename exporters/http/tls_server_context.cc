#include "exporters/http/tls_server_context.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "agent/core/bounded_file.h"
#include "agent/core/openssl_error.h"
#include "agent/core/openssl_handles.h"

namespace portwarden::exporters::http {
namespace {

constexpr std::size_t kMaxPemBytes = 1 << 20;
constexpr unsigned char kSessionContext[] = "portwarden";

std::unexpected<Error> SslFail(const std::string& what) {
  return Fail(what + ": " + OpenSslLastError());
}

// The PEM text of a setting: the file's content if a path is given, else the inline text.
Result<std::string> Pem(const std::string& file, const std::string& inline_pem, const char* key) {
  if (file.empty()) {
    return inline_pem;
  }
  auto text = ReadBoundedText(file, kMaxPemBytes);
  if (!text) {
    return Fail(std::string("failed to read ") + key + " (" + file + "): " + text.error().message);
  }
  return text;
}

UniqueBio MemoryBio(const std::string& text) {
  return UniqueBio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Status UseCertificateAndKey(SSL_CTX* ctx, const TlsServerConfig& tls) {
  auto cert_pem = Pem(tls.cert_file, tls.cert, "cert_file");
  auto key_pem = cert_pem ? Pem(tls.key_file, tls.key, "key_file") : cert_pem;
  if (!key_pem) {
    return std::unexpected(key_pem.error());
  }
  UniqueBio cert_bio = MemoryBio(*cert_pem);
  UniqueX509 leaf(PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    return SslFail("failed to load X509KeyPair: no certificate in cert_file");
  }
  while (X509* extra = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      return SslFail("failed to load X509KeyPair: chain certificate");
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  UniqueBio key_bio = MemoryBio(*key_pem);
  UniqueEvpPkey key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    return SslFail("failed to load X509KeyPair: no private key in key_file");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return SslFail("failed to load X509KeyPair: private key does not match certificate");
  }
  return {};
}

Status UseClientCas(SSL_CTX* ctx, const TlsServerConfig& tls) {
  auto pem = Pem(tls.client_ca_file, tls.client_ca, "client_ca_file");
  if (!pem) {
    return std::unexpected(pem.error());
  }
  if (pem->empty()) {  // verifying without client_ca_file: the system roots, as in Go
    SSL_CTX_set_default_verify_paths(ctx);
    return {};
  }
  UniqueBio bio = MemoryBio(*pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  int count = 0;
  while (UniqueX509 ca{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    X509_STORE_add_cert(store, ca.get());
    if (X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca.get()))) {
      sk_X509_NAME_push(names, name);
    }
    ++count;
  }
  ERR_clear_error();
  SSL_CTX_set_client_CA_list(ctx, names);
  if (count == 0) {
    return Fail("client_ca_file: no PEM certificate found");
  }
  return {};
}

int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) {
  return 1;
}

void UseClientAuth(SSL_CTX* ctx, ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
}

// Offers only HTTP/1.1: portwarden does not speak HTTP/2.
int SelectAlpn(SSL*,
               const unsigned char** out,
               unsigned char* outlen,
               const unsigned char* in,
               unsigned int inlen,
               void*) {
  static const unsigned char kHttp11[] = "\x08http/1.1";
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11 - 1, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const auto& item : items) {
    joined += (joined.empty() ? "" : ":") + item;
  }
  return joined;
}

Status UseProtocols(SSL_CTX* ctx, const TlsServerConfig& tls) {
  if (tls.min_version < TLS1_2_VERSION) {
    SSL_CTX_set_security_level(ctx, 0);  // OpenSSL 3 refuses TLS 1.0/1.1 at level 1
  }
  if (SSL_CTX_set_min_proto_version(ctx, tls.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, tls.max_version) != 1) {
    return SslFail("min_version/max_version");
  }
  if (!tls.cipher_suites.empty() &&
      SSL_CTX_set_cipher_list(ctx, Join(tls.cipher_suites).c_str()) != 1) {
    return SslFail("cipher_suites");
  }
  if (!tls.curve_preferences.empty() &&
      SSL_CTX_set1_groups_list(ctx, Join(tls.curve_preferences).c_str()) != 1) {
    return SslFail("curve_preferences");
  }
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  return {};
}

}  // namespace

Result<SslCtxPtr> BuildServerContext(const TlsServerConfig& tls) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    return SslFail("SSL_CTX_new");
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_alpn_select_cb(ctx.get(), SelectAlpn, nullptr);
  Status status =
      UseCertificateAndKey(ctx.get(), tls).and_then([&] { return UseProtocols(ctx.get(), tls); });
  if (status && tls.client_auth != ClientAuth::kNoClientCert) {
    status = UseClientCas(ctx.get(), tls);
  }
  if (!status) {
    return std::unexpected(Error{"tls_server_config: " + status.error().message});
  }
  UseClientAuth(ctx.get(), tls.client_auth);
  return ctx;
}

bool PeerSanAllowed(SSL* ssl, const std::vector<std::string>& allowed) {
  UniqueX509 peer(SSL_get1_peer_certificate(ssl));
  if (!peer) {
    return false;
  }
  UniqueGeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(peer.get(), NID_subject_alt_name, nullptr, nullptr)));
  const int count = names ? sk_GENERAL_NAME_num(names.get()) : 0;
  for (int i = 0; i < count; ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    std::string value;
    if (name->type == GEN_DNS || name->type == GEN_EMAIL || name->type == GEN_URI) {
      const ASN1_IA5STRING* text = name->d.ia5;
      value.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                   static_cast<std::size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(name->d.ip);
      char buffer[INET6_ADDRSTRLEN] = {};
      if ((length == 4 || length == 16) &&
          inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.ip), buffer,
                    sizeof buffer) != nullptr) {
        value = buffer;
      }
    }
    if (!value.empty() && std::find(allowed.begin(), allowed.end(), value) != allowed.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace portwarden::exporters::http
