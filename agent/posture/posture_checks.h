#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/x509.h>

#include "agent/core/openssl_handles.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

/// The posture checks: pure functions over a handshake's results and certificate chain (no
/// I/O), each the definition of one Check of posture_report.h, documented in docs/metrics.md.
namespace portwarden::posture {

/// What the checks look at, taken from a posture run's handshakes.
struct CheckInput {
  std::vector<VersionResult> versions;
  std::vector<std::string> ciphers;  ///< Every suite a handshake negotiated (weak offer included).
  std::vector<UniqueX509> chain;     ///< As presented, [0] = leaf; empty = none seen.
  std::string verify_result;         ///< The newest accepted handshake's (probe names).
  std::string ocsp_response;         ///< Stapled OCSP response, DER; "" = none.
  int handshake_scts = 0;            ///< SCTs from the TLS extension and stapled OCSP.
};

/// The CA/Browser Forum's maximum TLS server certificate validity for a certificate issued
/// (notBefore) at `not_before` (Unix seconds), in days (Baseline Requirements 6.3.2, ballot
/// SC-081): 398 before 2026-03-15, 200 from then, 100 from 2027-03-15, 47 from 2029-03-15.
int MaxValidityDays(double not_before);

/// Whether notAfter - notBefore exceeds MaxValidityDays(notBefore) whole days.
bool ValidityTooLong(double not_before, double not_after);

/// Whether an IANA suite name is on the weak list: a token NULL, anon, EXPORT*, RC2, RC4,
/// DES, DES40, 3DES or MD5 ("TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DH_anon_WITH_...").
bool IsWeakCipher(std::string_view iana_name);

/// The OpenSSL cipher string of the weak-only offer (TLS <= 1.2, security level 0): as much
/// of the weak list as this OpenSSL can still send.
inline constexpr const char* kWeakCipherOffer = "NULL:aNULL:eNULL:EXPORT:LOW:RC4:DES:3DES:MD5";

/// Whether `cert`'s key is weak: RSA or DSA under 2048 bits, EC under 256 bits.
bool WeakKey(const X509* cert);

/// Whether `cert` is signed with SHA-1 or MD5 (its own signature, not its key).
bool WeakSignatureAlgorithm(const X509* cert);

/// Whether `cert`'s subject equals its issuer and its key verifies its signature.
bool SelfSigned(X509* cert);

/// Whether some presented certificate is not followed by the certificate that issued it
/// (issuer name and signature), while the issuer appears elsewhere in the chain.
bool ChainOutOfOrder(const std::vector<UniqueX509>& chain);

/// Every finding of `input`, sorted, each once.
std::vector<Check> Findings(const CheckInput& input);

/// The check input of a posture run: `versions` as measured, `handshakes` the results of
/// every handshake (their evidence and negotiated suites); the chain and verdict are the
/// newest accepted version's.
CheckInput CheckInputOf(const std::vector<VersionResult>& versions,
                        const std::vector<probe::ProbeResult>& handshakes);

/// Parses DER certificates; unparseable entries are skipped.
std::vector<UniqueX509> ParseChain(const std::vector<std::string>& der);

}  // namespace portwarden::posture
