#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/certfiles/cert_file_report.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

/// Consistency across ports ("standardize SSL configurations across all secure ports"): pure
/// functions over the latest probe and posture reports. Every aspect groups endpoints the same
/// way: by (host part of the target, lowercased; server_name), then by port. A port's value is
/// the set of distinct values its addresses gave; a group with values on two ports or more
/// gives one entry, inconsistent when the ports' sets differ. Thread-safe.
namespace portwarden::certfiles {

/// The `aspect` label values of portwarden_tls_posture_inconsistent (a closed set,
/// docs/metrics.md "Certificates on disk").
namespace aspect {
inline constexpr std::string_view kLeafCertificate = "leaf_certificate";  ///< Leaf fingerprints.
inline constexpr std::string_view kProtocols = "protocols";  ///< Accepted protocol versions.
inline constexpr std::string_view kCiphers = "ciphers";      ///< Suite chosen per version.
inline constexpr std::string_view kGroups = "groups";        ///< Key-exchange groups supported.
}  // namespace aspect

/// The host part of a target ("host:port", "[v6]:port", and a discovered target's
/// "<netns>/" prefix kept in front of it), lowercased; the whole target, lowercased, when it
/// does not parse. The first half of the grouping key.
std::string TargetHost(std::string_view target);

/// "leaf_certificate": the sets of leaf fingerprints served on each port (probe results with
/// a served leaf) differ.
std::vector<PostureInconsistency> FindInconsistentLeaves(const probe::ProbeReport& probes);

/// "protocols": the sets of protocol versions accepted on each port differ (posture results
/// that reached the server; one set per address).
std::vector<PostureInconsistency> FindInconsistentProtocols(const posture::PostureReport& posture);

/// "ciphers": for the versions every address of the group accepted, the suite the server
/// chose for the posture job's (identical) offer differs between ports. A group whose
/// addresses share no accepted version gives no entry.
std::vector<PostureInconsistency> FindInconsistentCiphers(const posture::PostureReport& posture);

/// "groups": the sets of key-exchange groups supported differ. Only addresses whose every
/// group verdict was determined count (TLS 1.3 accepted, no probe error).
std::vector<PostureInconsistency> FindInconsistentGroups(const posture::PostureReport& posture);

/// All aspects, in the order above.
std::vector<PostureInconsistency> FindInconsistencies(const probe::ProbeReport& probes,
                                                      const posture::PostureReport& posture);

}  // namespace portwarden::certfiles
