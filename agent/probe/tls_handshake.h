#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "agent/core/openssl_handles.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// What a TLS handshake produced, whether or not it completed.
struct HandshakeOutcome {
  std::optional<PhaseError> error;     ///< Set when the handshake did not complete.
  std::string tls_version;             ///< "TLS 1.3"
  std::string cipher;                  ///< IANA name
  std::string group;                   ///< "X25519", "P-256", ...
  std::vector<CertificateInfo> chain;  ///< As presented; chain_pos 0 = leaf.
  std::vector<std::string> chain_pem;  ///< The same as PEM, when CapturePem() was called.
  std::string alpn;                    ///< Protocol the server selected by ALPN; "" = none.
  /// The client CAs the server named, when it asked for a certificate and the handshake failed
  /// or we sent none (SSL_get0_peer_CA_list, TLS 1.3; SSL_get_client_CA_list, TLS 1.2).
  std::vector<std::string> client_ca_names;
  long verify_code = 0;         ///< First X509_V_ERR_* met; 0 = X509_V_OK.
  int verify_depth = -1;        ///< Chain position of that error.
  bool verify_checked = false;  ///< The chain went through verification.
  /// When our side of the handshake ended (SSL_connect succeeded, or the server's rejection
  /// arrived): excludes the agent's own wait for a client-certificate verdict.
  std::optional<SteadyTime> ended_at;
  /// Posture contexts only (RequestEvidence): the raw chain, stapled OCSP, SCTs.
  std::shared_ptr<const HandshakeEvidence> evidence;
};

/// Most bytes a handshake may read from the peer (the verdict wait included): a legitimate
/// one needs far less (OpenSSL caps a certificate list at 100 KiB), a HelloRequest or record
/// flood is cut off here (`tls_flood`) instead of keeping OpenSSL busy until the deadline.
inline constexpr std::size_t kMaxHandshakeBytes = 1024 * 1024;

/// What the socket BIO's read callback enforces on every read OpenSSL makes, so a peer that
/// keeps sending cannot hold the thread inside one SSL_connect(): the deadline and a byte cap.
struct ReadGuard {
  SteadyTime deadline{};
  std::size_t budget = kMaxHandshakeBytes;  ///< Bytes the peer may still send.
  std::optional<PhaseError> tripped;        ///< Why reads were cut off, once they were.
};

/// Per-handshake record the verify callbacks write into (via SSL app data).
struct VerifyRecord {
  long code = X509_V_OK;
  int depth = -1;
  UniqueX509Stack presented;
  bool client_cert_missing = false;  ///< The server asked for a certificate we do not have.
  bool checked = false;              ///< The verify callback ran.
  bool ticket_seen = false;          ///< A NewSessionTicket arrived (the server accepted us).
};

/// One client handshake over a connected non-blocking socket `fd` (not owned), driven step by
/// step so one thread can run many at once. `server_name` is sent as SNI (unless it is an IP
/// literal) and checked against the certificate. Verification never aborts the handshake:
/// the first error is recorded with its depth, and the presented chain is captured even when
/// the server then rejects us (e.g. for lacking a client certificate). No read goes past
/// `deadline` or kMaxHandshakeBytes (ReadGuard), and renegotiation is refused. Not movable
/// (OpenSSL holds a pointer to it); one thread at a time.
class TlsClient {
 public:
  TlsClient(SSL_CTX* ctx, int fd, const std::string& server_name, SteadyTime deadline);
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;
  ~TlsClient();

  /// Runs OpenSSL as far as it goes without blocking. Returns the poll events to wait for on
  /// the socket before the next Step(), or 0 when the handshake is over (see Finish()).
  short Step();

  /// When to stop waiting: `deadline`, or earlier while waiting for the server's verdict on
  /// our missing client certificate.
  SteadyTime WaitLimit(SteadyTime deadline) const;

  /// The wait ran out: a handshake in progress fails with `error`; a verdict wait ends with
  /// the handshake accepted (the certificate was optional).
  void Expire(PhaseError error);

  /// The outcome, once Step() returned 0 or after Expire(). Sends close_notify on success.
  HandshakeOutcome Finish();

  /// Also keep the presented chain as PEM in the outcome (`probe --show-certs`).
  void CapturePem() { capture_pem_ = true; }

 private:
  enum class State : std::uint8_t { kHandshake, kVerdict, kDone };
  short Connect();
  short AwaitVerdict();
  short Failed(int rc);

  UniqueSsl ssl_;
  VerifyRecord record_;
  ReadGuard guard_;
  std::optional<SteadyTime> ended_at_;
  State state_ = State::kHandshake;
  SteadyTime verdict_until_{};
  std::optional<PhaseError> error_;
  bool capture_pem_ = false;
};

/// The SSL_CTX verify callback used by the prober: records the first error in the
/// handshake's outcome, captures the presented chain, and always continues.
int RecordingVerifyCallback(int preverify_ok, X509_STORE_CTX* store);

/// The SSL_CTX client-certificate callback used by the prober when it has no client
/// certificate: notes that the server asked for one (see TlsClient) and sends none.
int RecordMissingClientCert(SSL* ssl, X509** cert, EVP_PKEY** key);

}  // namespace portwarden::probe
