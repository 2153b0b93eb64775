#include "agent/probe/revocation_check.h"

#include "agent/probe/crl.h"
#include "agent/probe/ocsp_staple.h"

namespace portwarden::probe {
namespace {

/// Fills `check` from the cached CRL: its times and download error, then (when there is a
/// CRL at all) the issuer check and the lookup.
void ApplyCrl(const CachedCrl& held, X509* cert, X509* issuer, double now, CrlCheck& check) {
  check.error = held.error;
  check.detail = held.detail;
  if (!held.crl) {
    return;
  }
  check.this_update = held.times.this_update;
  check.next_update = held.times.next_update;
  check.fetched_at = held.fetched_at;
  check.stale = held.times.next_update && now > *held.times.next_update;
  if (auto verified = crl::VerifyIssuer(held.crl.get(), issuer); !verified) {
    check.error = std::string(crl_failure::kSignature);
    check.detail = verified.error().message;
    return;
  }
  check.revoked = crl::Lists(held.crl.get(), cert);
}

}  // namespace

RevocationReport CheckRevocation(STACK_OF(X509) * served,
                                 std::string_view stapled_ocsp,
                                 CrlCache& cache,
                                 const CrlFetcher& fetch,
                                 double now) {
  RevocationReport report;
  for (int pos = 0; served != nullptr && pos < sk_X509_num(served); ++pos) {
    X509* cert = sk_X509_value(served, pos);
    auto url = crl::DistributionPointUrl(cert);
    if (!url) {
      continue;
    }
    CrlCheck check;
    check.chain_pos = pos;
    check.url = std::move(*url);
    X509* issuer = FindIssuer(served, cert);
    if (issuer == nullptr) {
      check.error = std::string(crl_failure::kNoIssuer);
      check.detail = "the certificate's issuer is not in the served chain";
    } else {
      ApplyCrl(*cache.Get(check.url, now, fetch), cert, issuer, now, check);
    }
    report.crls.push_back(std::move(check));
  }
  report.staple = EvaluateStaple(stapled_ocsp, served, now);
  return report;
}

}  // namespace portwarden::probe
