#include "agent/probe/tls_handshake.h"

#include <arpa/inet.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

#include <openssl/ec.h>
#include <openssl/err.h>

#include "agent/probe/certificate_info.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/openssl_handles.h"
#include "agent/probe/tcp_connect.h"

namespace portwarden::probe {
namespace {

/// Per-handshake record the verify callback writes into (via SSL app data).
struct VerifyRecord {
  long code = X509_V_OK;
  int depth = -1;
  UniqueX509Stack presented;
  bool client_cert_missing = false;  // The server asked for a certificate we do not have.
};

bool IsIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string VersionName(const SSL* ssl) {
  switch (SSL_version(ssl)) {
    case TLS1_3_VERSION:
      return "TLS 1.3";
    case TLS1_2_VERSION:
      return "TLS 1.2";
    case TLS1_1_VERSION:
      return "TLS 1.1";
    case TLS1_VERSION:
      return "TLS 1.0";
    default:
      return SSL_get_version(ssl);
  }
}

std::string GroupName(SSL* ssl) {
  const int nid = SSL_get_negotiated_group(ssl);
  if (nid == NID_undef || nid == 0) {
    return "";
  }
  const char* nist = EC_curve_nid2nist(nid);  // "P-256" rather than "prime256v1"
  const char* name = nist != nullptr ? nist : OBJ_nid2sn(nid);
  return name != nullptr ? name : SSL_group_to_name(ssl, nid);
}

/// Maps a failed SSL_connect to a reason; the detail is OpenSSL's own text.
PhaseError HandshakeError(SSL* ssl, int rc) {
  const int kind = SSL_get_error(ssl, rc);
  const int saved_errno = errno;
  const unsigned long code = ERR_peek_error();
  char text[256] = {};
  if (code != 0) {
    ERR_error_string_n(code, text, sizeof(text));
  }
  ERR_clear_error();
  if (kind == SSL_ERROR_SSL && code != 0) {
    const int reason = ERR_GET_REASON(code);
    if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      return {failure::kTlsEof, text};
    }
    return {reason >= SSL_AD_REASON_OFFSET ? failure::kTlsAlert : failure::kTlsProtocol, text};
  }
  if (kind == SSL_ERROR_SYSCALL || kind == SSL_ERROR_ZERO_RETURN) {
    return {failure::kTlsEof, saved_errno != 0 ? std::strerror(saved_errno)
                                               : "connection closed during the handshake"};
  }
  return {failure::kTlsProtocol, code != 0 ? text : "SSL_connect failed"};
}

/// TLS 1.3 servers judge the client certificate after the client has finished its side of
/// the handshake, so a rejection arrives as an alert just after SSL_connect succeeded. When
/// the server asked for a certificate we could not give, wait briefly for that alert.
constexpr auto kClientCertVerdictWait = std::chrono::milliseconds(300);

std::optional<PhaseError> AwaitClientCertVerdict(SSL* ssl, int fd, ProbeDeadline deadline) {
  deadline.at = std::min(deadline.at, std::chrono::steady_clock::now() + kClientCertVerdictWait);
  char byte = 0;
  // Read first, poll only when OpenSSL has nothing buffered: with read-ahead the alert may
  // already sit in its buffer while the socket is empty.
  do {
    ERR_clear_error();
    const int rc = SSL_peek(ssl, &byte, 1);
    if (rc > 0) {
      return std::nullopt;  // Application data: the server accepted us.
    }
    const int kind = SSL_get_error(ssl, rc);
    if (kind != SSL_ERROR_WANT_READ && kind != SSL_ERROR_WANT_WRITE) {
      return HandshakeError(ssl, rc);
    }
  } while (WaitFd(fd, POLLIN, deadline));
  return std::nullopt;  // No verdict in time: the certificate was optional.
}

std::optional<PhaseError> DriveHandshake(SSL* ssl, int fd, const ProbeDeadline& deadline) {
  while (true) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_connect(ssl);
    if (rc == 1) {
      return std::nullopt;
    }
    const int kind = SSL_get_error(ssl, rc);
    if (kind != SSL_ERROR_WANT_READ && kind != SSL_ERROR_WANT_WRITE) {
      return HandshakeError(ssl, rc);
    }
    if (!WaitFd(fd, kind == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
      return PhaseError{deadline.Cancelled() ? failure::kCancelled : failure::kTlsTimeout,
                        "handshake: no answer before the deadline"};
    }
  }
}

void CollectChain(SSL* ssl, const VerifyRecord& record, HandshakeOutcome& out) {
  const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) {
    chain = record.presented.get();
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    out.chain.push_back(DescribeCertificate(sk_X509_value(chain, i), i));
  }
}

}  // namespace

int RecordMissingClientCert(SSL* ssl, X509** /*cert*/, EVP_PKEY** /*key*/) {
  if (auto* record = static_cast<VerifyRecord*>(SSL_get_ex_data(ssl, 0)); record != nullptr) {
    record->client_cert_missing = true;
  }
  return 0;  // Send no certificate.
}

int RecordingVerifyCallback(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* record = ssl != nullptr ? static_cast<VerifyRecord*>(SSL_get_ex_data(ssl, 0)) : nullptr;
  if (record == nullptr) {
    return preverify_ok;
  }
  if (!record->presented) {
    if (STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store); untrusted != nullptr) {
      record->presented.reset(X509_chain_up_ref(untrusted));
    }
  }
  if (preverify_ok == 0 && record->code == X509_V_OK) {
    record->code = X509_STORE_CTX_get_error(store);
    record->depth = X509_STORE_CTX_get_error_depth(store);
  }
  return 1;
}

HandshakeOutcome TlsHandshake(SSL_CTX* ctx,
                              int fd,
                              const std::string& server_name,
                              const ProbeDeadline& deadline) {
  HandshakeOutcome out;
  UniqueSsl ssl(SSL_new(ctx));
  VerifyRecord record;
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    out.error = PhaseError{failure::kTlsSetup, "SSL_new failed"};
    return out;
  }
  SSL_set_ex_data(ssl.get(), 0, &record);
  if (IsIpLiteral(server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), server_name.c_str());
  } else if (!server_name.empty()) {
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
    SSL_set1_host(ssl.get(), server_name.c_str());
  }
  out.error = DriveHandshake(ssl.get(), fd, deadline);
  if (!out.error && record.client_cert_missing && SSL_version(ssl.get()) == TLS1_3_VERSION) {
    out.error = AwaitClientCertVerdict(ssl.get(), fd, deadline);
  }
  if (!out.error) {
    out.tls_version = VersionName(ssl.get());
    out.cipher = SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl.get()));
    out.group = GroupName(ssl.get());
    if (record.code == X509_V_OK) {
      record.code = SSL_get_verify_result(ssl.get());
    }
  }
  CollectChain(ssl.get(), record, out);
  out.verify_code = record.code;
  out.verify_depth = record.depth;
  SSL_set_ex_data(ssl.get(), 0, nullptr);
  if (!out.error) {
    SSL_shutdown(ssl.get());
  }
  return out;
}

}  // namespace portwarden::probe
