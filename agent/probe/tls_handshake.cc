#include "agent/probe/tls_handshake.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "agent/core/openssl_handles.h"
#include "agent/core/text_sanitize.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/certificate_info.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/handshake_evidence.h"

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
/// the server asked for a certificate we could not give, wait briefly for that alert; a
/// NewSessionTicket (which servers send once they accepted us) ends the wait early. The wait
/// is not part of the measured handshake.
constexpr auto kClientCertVerdictWait = std::chrono::milliseconds(300);

/// The socket BIO's callback: before each read, stops reading once the deadline passed;
/// after it, charges the bytes to the budget. A stopped read fails without a retry flag, so
/// OpenSSL returns from SSL_connect/SSL_peek at once and TlsClient reports `guard.tripped`.
long GuardRead(BIO* bio,
               int oper,
               const char* /*data*/,
               std::size_t /*length*/,
               int /*argi*/,
               long /*argl*/,
               int ret,
               std::size_t* processed) {
  auto* guard = reinterpret_cast<ReadGuard*>(BIO_get_callback_arg(bio));
  if (guard == nullptr) {
    return ret;
  }
  if (oper == BIO_CB_READ) {
    if (!guard->tripped && std::chrono::steady_clock::now() >= guard->deadline) {
      guard->tripped = PhaseError{
          failure::kTlsTimeout, "handshake: not finished before the deadline (peer kept sending)"};
    }
    if (guard->tripped) {
      BIO_clear_retry_flags(bio);
      return -1;
    }
  } else if (oper == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed != nullptr) {
    if (*processed >= guard->budget) {
      guard->budget = 0;
      guard->tripped =
          PhaseError{failure::kTlsFlood, "handshake: the peer sent more than " +
                                             std::to_string(kMaxHandshakeBytes / 1024) + " KiB"};
    } else {
      guard->budget -= *processed;
    }
  }
  return ret;
}

/// Notes a NewSessionTicket from the server (the msg callback, set for the verdict wait).
void NoteTicket(int write_p,
                int /*version*/,
                int content_type,
                const void* data,
                std::size_t length,
                SSL* /*ssl*/,
                void* arg) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  if (write_p == 0 && content_type == SSL3_RT_HANDSHAKE && length > 0 &&
      bytes[0] == SSL3_MT_NEWSESSION_TICKET) {
    static_cast<VerifyRecord*>(arg)->ticket_seen = true;
  }
}

/// The poll events OpenSSL waits for after `rc`, or 0 when it failed for good.
short WantedEvents(SSL* ssl, int rc) {
  const int kind = SSL_get_error(ssl, rc);
  return kind == SSL_ERROR_WANT_READ ? POLLIN : kind == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
}

std::string Pem(X509* cert) {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

void CollectChain(SSL* ssl, const VerifyRecord& record, bool pem, HandshakeOutcome& out) {
  const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) == 0) {
    chain = record.presented.get();
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    out.chain.push_back(DescribeCertificate(sk_X509_value(chain, i), i));
    if (pem) {
      out.chain_pem.push_back(Pem(sk_X509_value(chain, i)));
    }
  }
}

// One distinguished name as RFC 2253 text, sanitized like every certificate name.
std::string NameText(const X509_NAME* name) {
  UniqueBio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    return "";
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return text::Sanitize(std::string_view(data, size > 0 ? static_cast<std::size_t>(size) : 0),
                        text::Kind::kCertName);
}

// The CA names of the server's CertificateRequest: TLS 1.3 carries them in the
// certificate_authorities extension, TLS 1.2 in the request itself.
void CollectClientCaNames(const SSL* ssl, HandshakeOutcome& out) {
  const STACK_OF(X509_NAME)* names = SSL_get0_peer_CA_list(ssl);
  if (names == nullptr || sk_X509_NAME_num(names) == 0) {
    names = SSL_get_client_CA_list(ssl);
  }
  for (int i = 0; names != nullptr && i < sk_X509_NAME_num(names) &&
                  out.client_ca_names.size() < kMaxClientCaNames;
       ++i) {
    out.client_ca_names.push_back(NameText(sk_X509_NAME_value(names, i)));
  }
}

std::string SelectedAlpn(const SSL* ssl) {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &length);
  return text::Sanitize(
      std::string_view(reinterpret_cast<const char*>(protocol), protocol ? length : 0),
      text::Kind::kConfigExcerpt);
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
  record->checked = true;
  if (preverify_ok == 0 && record->code == X509_V_OK) {
    record->code = X509_STORE_CTX_get_error(store);
    record->depth = X509_STORE_CTX_get_error_depth(store);
  }
  return 1;
}

TlsClient::TlsClient(SSL_CTX* ctx, int fd, const std::string& server_name, SteadyTime deadline)
    : ssl_(SSL_new(ctx)) {
  if (!ssl_ || SSL_set_fd(ssl_.get(), fd) != 1) {
    error_ = PhaseError{failure::kTlsSetup, "SSL_new failed"};
    state_ = State::kDone;
    return;
  }
  SSL_set_ex_data(ssl_.get(), 0, &record_);
  SSL_set_options(ssl_.get(), SSL_OP_NO_RENEGOTIATION);
  guard_.deadline = deadline;
  BIO* bio = SSL_get_rbio(ssl_.get());
  BIO_set_callback_ex(bio, GuardRead);
  BIO_set_callback_arg(bio, reinterpret_cast<char*>(&guard_));
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
    BIO_set_callback_arg(SSL_get_rbio(ssl_.get()), nullptr);
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

/// A handshake (or verdict) read that ended for good: the guard's reason first, else OpenSSL's.
short TlsClient::Failed(int rc) {
  error_ = guard_.tripped ? *guard_.tripped : HandshakeError(ssl_.get(), rc);
  ERR_clear_error();
  ended_at_ = std::chrono::steady_clock::now();
  state_ = State::kDone;
  return 0;
}

short TlsClient::Connect() {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_connect(ssl_.get());
  if (rc != 1) {
    const short events = guard_.tripped ? 0 : WantedEvents(ssl_.get(), rc);
    return events != 0 ? events : Failed(rc);
  }
  ended_at_ = std::chrono::steady_clock::now();
  if (record_.client_cert_missing && SSL_version(ssl_.get()) == TLS1_3_VERSION) {
    state_ = State::kVerdict;
    verdict_until_ = *ended_at_ + kClientCertVerdictWait;
    SSL_set_msg_callback_arg(ssl_.get(), &record_);
    SSL_set_msg_callback(ssl_.get(), NoteTicket);
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
  if (rc > 0 || record_.ticket_seen) {
    state_ = State::kDone;  // Application data or a session ticket: accepted.
    return 0;
  }
  const short events = guard_.tripped ? 0 : WantedEvents(ssl_.get(), rc);
  return events != 0 ? events : Failed(rc);  // An alert: rejected.
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
  // The ServerHello fixed version and cipher: report them however far the handshake got
  // (until the keys are in use OpenSSL holds the cipher as "pending").
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_.get());
  if (cipher == nullptr) {
    cipher = SSL_get_pending_cipher(ssl_.get());
  }
  if (cipher != nullptr) {
    out.tls_version = VersionName(ssl_.get());
    out.cipher = SSL_CIPHER_standard_name(cipher);
    out.group = GroupName(ssl_.get());
  }
  if (!out.error && record_.code == X509_V_OK) {
    record_.code = SSL_get_verify_result(ssl_.get());
  }
  CollectChain(ssl_.get(), record_, capture_pem_, out);
  out.evidence = CollectEvidence(ssl_.get(), record_.presented.get());
  out.alpn = SelectedAlpn(ssl_.get());
  if (out.error || record_.client_cert_missing) {
    CollectClientCaNames(ssl_.get(), out);
  }
  out.verify_code = record_.code;
  out.verify_depth = record_.depth;
  out.verify_checked = record_.checked || !out.error;
  out.ended_at = ended_at_;
  if (!out.error) {
    SSL_shutdown(ssl_.get());
  }
  return out;
}

}  // namespace portwarden::probe
