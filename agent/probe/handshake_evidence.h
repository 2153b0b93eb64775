#pragma once

#include <memory>

#include <openssl/ssl.h>

#include "agent/probe/probe_result.h"

/// What posture handshakes keep beyond the probe's metrics (HandshakeEvidence).
namespace portwarden::probe {

/// Makes handshakes on `ctx` ask for a stapled OCSP response and SCTs (permissively: never
/// failing the handshake) and keep them with the presented chain (CollectEvidence). False
/// when OpenSSL refused.
bool RequestEvidence(SSL_CTX* ctx);

/// The evidence of a handshake over, or null when its context did not RequestEvidence().
/// `presented` is the chain the verify callback captured, used when OpenSSL kept none.
std::shared_ptr<const HandshakeEvidence> CollectEvidence(SSL* ssl,
                                                         const STACK_OF(X509) * presented);

}  // namespace portwarden::probe
