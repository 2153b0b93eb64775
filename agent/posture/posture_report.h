#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/probe/group_verdict.h"
#include "agent/probe/probe_result.h"
#include "agent/probe/revocation_result.h"

/// The posture stage's output: plain data carried in the Snapshot, rendered by
/// exporters/prometheus/posture_metrics.cc, the JSON writer and `portwarden probe --posture`.
namespace portwarden::posture {

/// The protocol versions a posture run tries, oldest first, spelled as
/// portwarden_tls_version_info spells them.
inline constexpr std::array<std::string_view, 4> kVersions = {"TLS 1.0", "TLS 1.1", "TLS 1.2",
                                                              "TLS 1.3"};

/// The closed set of posture findings (docs/metrics.md, "TLS posture"). Order = exposition
/// order; add new checks at the end and to kCheckNames.
enum class Check : std::uint8_t {
  kLegacyProtocol,   ///< TLS 1.0 or 1.1 accepted.
  kWeakCipher,       ///< A suite of the weak list negotiated (IsWeakCipher).
  kWeakKey,          ///< A presented key: RSA/DSA < 2048 bits, EC < 256 bits.
  kWeakSignature,    ///< A presented certificate below the root signed with SHA-1 or MD5.
  kIncompleteChain,  ///< The chain does not reach a trust anchor for want of an issuer.
  kChainOrder,       ///< A presented certificate is not followed by its issuer.
  kValidityTooLong,  ///< The leaf outlives the CA/B Forum maximum of its issuance date.
  kClientAuthEku,    ///< The leaf's extended key usage allows clientAuth.
  kNoSct,            ///< No SCT in the leaf, the TLS extension or the stapled OCSP response.
  kNoOcspStaple,     ///< The leaf names an OCSP responder but no response was stapled.
};

/// The `check` label of each Check, in enum order.
inline constexpr std::array<std::string_view, 10> kCheckNames = {
    "legacy_protocol", "weak_cipher",       "weak_key",        "weak_signature", "incomplete_chain",
    "chain_order",     "validity_too_long", "client_auth_eku", "no_sct",         "no_ocsp_staple"};

/// The `check` label of `check`.
inline std::string_view CheckName(Check check) {
  return kCheckNames[static_cast<std::size_t>(check)];
}

/// One pinned-version handshake (min = max = `version`).
struct VersionResult {
  std::string version;         ///< From kVersions.
  bool accepted = false;       ///< The server answered with a ServerHello of this version.
  std::string cipher;          ///< The suite it chose, when accepted (IANA name).
  std::string failure_reason;  ///< Why the handshake failed ("" when it completed).
};

/// The posture of one address of one target, identified as its ProbeResult is (the E labels).
struct PostureResult {
  std::string target;
  std::string address;  ///< "" when resolution failed.
  std::string server_name;
  probe::TargetSource source = probe::TargetSource::kConfig;
  double timestamp = 0;  ///< Unix seconds when this address's posture run finished.
  /// Whether the server was reached and some version answered: without it `versions` and
  /// `findings` say nothing (no protocol_accepted series are exported).
  bool reached = false;
  std::string failure_reason;  ///< Why not reached (the probe's reason set); "" when reached.
  std::vector<VersionResult> versions;  ///< One per kVersions entry, in that order.
  std::vector<Check> findings;          ///< Sorted, each at most once.
  /// Key-exchange groups (probe::groups::All() order); empty unless TLS 1.3 was accepted.
  std::vector<probe::GroupVerdict> groups;
  /// CRL checks of the presented chain and the stapled OCSP response of the leaf.
  probe::RevocationReport revocation;
};

/// All posture output of the latest posture run, in target order.
struct PostureReport {
  std::vector<PostureResult> results;
};

}  // namespace portwarden::posture
