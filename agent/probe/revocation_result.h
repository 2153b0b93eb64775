#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// What the revocation checks found for one endpoint's served chain (docs/metrics.md,
/// "Revocation"): plain data, carried by the snapshot and rendered by the exporters.
namespace portwarden::probe {

/// Why a CRL check gave no verdict: the `reason` of portwarden_tls_crl_check_error.
namespace crl_failure {
inline constexpr std::string_view kFetch = "fetch";                 ///< Transport failed.
inline constexpr std::string_view kHttpStatus = "http_status";      ///< Answer not 200.
inline constexpr std::string_view kTooLarge = "too_large";          ///< Over crl_max_bytes.
inline constexpr std::string_view kParse = "parse";                 ///< Not a DER/PEM CRL.
inline constexpr std::string_view kSignature = "signature";         ///< Not signed by issuer.
inline constexpr std::string_view kNoIssuer = "issuer_not_served";  ///< Issuer not in chain.
}  // namespace crl_failure

/// The CRL check of one certificate of the chain (only those with an http:// CRL
/// distribution point get one).
struct CrlCheck {
  int chain_pos = 0;
  std::string url;  ///< The distribution point fetched (first http:// one).
  /// From the CRL held (possibly an earlier download when the last one failed: `error` says
  /// so, `stale` whether it is past its nextUpdate); absent when there is no usable CRL.
  std::optional<bool> revoked;
  std::optional<double> this_update;  ///< The CRL's thisUpdate (Unix seconds).
  std::optional<double> next_update;  ///< Its nextUpdate; absent when the CRL has none.
  std::optional<double> fetched_at;   ///< When this CRL was downloaded (cache hits keep it).
  bool stale = false;  ///< nextUpdate had passed when checked: the CA did not publish anew.
  std::string error;   ///< crl_failure reason of the last download or check; "" if none.
  std::string detail;  ///< Transport or OpenSSL text, for logs and the CLI.
};

/// The OCSP response the server stapled in its handshake (status_request), verified.
struct OcspStaple {
  /// "none" (no staple), "good", "revoked", "unknown" (the responder does not know the
  /// certificate), or "invalid" (did not verify, wrong certificate, outside its validity).
  std::string status = "none";
  std::optional<double> this_update;
  std::optional<double> next_update;
  std::string detail;  ///< Why it is invalid, or the revocation reason.
};

/// Everything revocation checking found for one endpoint.
struct RevocationReport {
  std::vector<CrlCheck> crls;  ///< In chain order.
  OcspStaple staple;           ///< For the leaf (chain_pos 0).
};

/// The combined verdict for chain position `chain_pos` (portwarden_tls_cert_revoked): 1 when
/// a verified CRL or the verified staple says revoked, 0 when one says not revoked and none
/// says revoked, nullopt when neither gave a verdict.
inline std::optional<bool> Revoked(const RevocationReport& report, int chain_pos) {
  std::optional<bool> verdict;
  for (const auto& crl : report.crls) {
    if (crl.chain_pos == chain_pos && crl.revoked) {
      verdict = verdict.value_or(false) || *crl.revoked;
    }
  }
  if (chain_pos == 0 && (report.staple.status == "good" || report.staple.status == "revoked")) {
    verdict = verdict.value_or(false) || report.staple.status == "revoked";
  }
  return verdict;
}

}  // namespace portwarden::probe
