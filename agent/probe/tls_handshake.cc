#include "agent/probe/tls_handshake.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/ec.h>
#include <openssl/err.h>

#include "agent/probe/certificate_info.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/openssl_handles.h"
#include "agent/probe/resolver.h"

namespace portwarden::probe {
namespace {

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

/// The poll events OpenSSL waits for after `rc`, or 0 when it failed for good.
short WantedEvents(SSL* ssl, int rc) {
  const int kind = SSL_get_error(ssl, rc);
  return kind == SSL_ERROR_WANT_READ ? POLLIN : kind == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
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

TlsClient::TlsClient(SSL_CTX* ctx, int fd, const std::string& server_name) : ssl_(SSL_new(ctx)) {
  if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1) {
    error_ = PhaseError{failure::kTlsSetup, "SSL_new failed"};
    state_ = State::kDone;
    return;
  }
  SSL_set_ex_data(ssl_.get(), 0, &record_);
  if (IsIpLiteral(server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), server_name.c_str());
  } else if (!server_name.empty()) {
    SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(server_name.c_str()));
    SSL_set1_host(ssl_.get(), server_name.c_str());
  }
}

TlsClient::~TlsClient() {
  if (ssl_) {
    SSL_set_ex_data(ssl_.get(), 0, nullptr);
  }
}

short TlsClient::Step() {
  switch (state_) {
    case State::kHandshake:
      return Connect();
    case State::kVerdict:
      return AwaitVerdict();
    case State::kDone:
      return 0;
  }
  return 0;
}

short TlsClient::Connect() {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_connect(ssl_.get());
  if (rc != 1) {
    const short events = WantedEvents(ssl_.get(), rc);
    if (events == 0) {
      error_ = HandshakeError(ssl_.get(), rc);
      state_ = State::kDone;
    }
    return events;
  }
  if (record_.client_cert_missing && SSL_version(ssl_.get()) == TLS1_3_VERSION) {
    state_ = State::kVerdict;
    verdict_until_ = std::chrono::steady_clock::now() + kClientCertVerdictWait;
    return AwaitVerdict();
  }
  state_ = State::kDone;
  return 0;
}

// Reads first and polls only on WANT_READ: with read-ahead the alert may already sit in
// OpenSSL's buffer while the socket is empty.
short TlsClient::AwaitVerdict() {
  char byte = 0;
  ERR_clear_error();
  const int rc = SSL_peek(ssl_.get(), &byte, 1);
  const short events = rc > 0 ? 0 : WantedEvents(ssl_.get(), rc);
  if (rc <= 0 && events == 0) {
    error_ = HandshakeError(ssl_.get(), rc);
  }
  if (events == 0) {
    state_ = State::kDone;  // Application data (accepted) or an alert (rejected).
  }
  return events;
}

SteadyTime TlsClient::WaitLimit(SteadyTime deadline) const {
  return state_ == State::kVerdict ? std::min(deadline, verdict_until_) : deadline;
}

void TlsClient::Expire(PhaseError error) {
  if (state_ == State::kHandshake) {
    error_ = std::move(error);
  }
  state_ = State::kDone;  // A verdict wait that runs out means the certificate was optional.
}

HandshakeOutcome TlsClient::Finish() {
  HandshakeOutcome out;
  out.error = std::move(error_);
  if (!ssl_) {
    return out;
  }
  if (!out.error) {
    out.tls_version = VersionName(ssl_.get());
    out.cipher = SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl_.get()));
    out.group = GroupName(ssl_.get());
    if (record_.code == X509_V_OK) {
      record_.code = SSL_get_verify_result(ssl_.get());
    }
  }
  CollectChain(ssl_.get(), record_, out);
  out.verify_code = record_.code;
  out.verify_depth = record_.depth;
  if (!out.error) {
    SSL_shutdown(ssl_.get());
  }
  return out;
}

}  // namespace portwarden::probe
