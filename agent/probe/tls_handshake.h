#pragma once

#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

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
  long verify_code = 0;                ///< First X509_V_ERR_* met; 0 = X509_V_OK.
  int verify_depth = -1;               ///< Chain position of that error.
};

/// Runs a client handshake over the connected non-blocking socket `fd` (not owned) with
/// `ctx` before `deadline`. `server_name` is sent as SNI (unless it is an IP literal) and
/// checked against the certificate. Verification never aborts the handshake: the first
/// error is recorded with its depth, and the presented chain is captured even when the
/// server then rejects us (e.g. for lacking a client certificate). Thread-safe.
HandshakeOutcome TlsHandshake(SSL_CTX* ctx,
                              int fd,
                              const std::string& server_name,
                              const ProbeDeadline& deadline);

/// The SSL_CTX verify callback used by the prober: records the first error in the
/// handshake's outcome, captures the presented chain, and always continues.
int RecordingVerifyCallback(int preverify_ok, X509_STORE_CTX* store);

}  // namespace portwarden::probe
