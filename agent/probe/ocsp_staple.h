#pragma once

#include <string_view>

#include <openssl/x509.h>

#include "agent/probe/revocation_result.h"

namespace portwarden::probe {

/// Judges the OCSP response a server stapled for its leaf (`der`, empty when it stapled
/// none) against the served chain: the response must be successful, signed by the leaf's
/// issuer as found in `served` or by a responder that issuer delegated to (RFC 6960
/// 4.2.2.2; the issuer is the trust anchor, so the check holds whether or not the chain is
/// trusted), carry a status for the leaf's CertID, and be within its validity at `now`
/// (5 minutes of clock skew allowed). Pure (no I/O); thread-safe.
OcspStaple EvaluateStaple(std::string_view der, STACK_OF(X509) * served, double now);

/// The certificate of `served` that issued `cert` (name and signature), or nullptr.
X509* FindIssuer(STACK_OF(X509) * served, X509* cert);

}  // namespace portwarden::probe
