#pragma once

#include <string_view>

#include <openssl/x509.h>

#include "agent/probe/crl_cache.h"
#include "agent/probe/revocation_result.h"

namespace portwarden::probe {

/// Revocation of a served chain (docs/architecture.md, "Revocation"). For each certificate
/// of `served` with an http:// CRL distribution point: the CRL from `cache` (downloaded
/// through `fetch` when the cached one is past its nextUpdate), its issuer and signature
/// checked against the certificate's issuer found in `served`, then the serial looked up.
/// The leaf's stapled OCSP response (`stapled_ocsp`, DER, empty for none) is judged by
/// EvaluateStaple. `now` is Unix seconds. Thread-safe (the cache is).
RevocationReport CheckRevocation(STACK_OF(X509) * served,
                                 std::string_view stapled_ocsp,
                                 CrlCache& cache,
                                 const CrlFetcher& fetch,
                                 double now);

}  // namespace portwarden::probe
