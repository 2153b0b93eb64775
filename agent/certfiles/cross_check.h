#pragma once

#include <string_view>

#include "agent/certfiles/cert_file_report.h"
#include "agent/certfiles/consistency.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

/// Pure cross-checks between what the probes saw served and what the disk holds, and between
/// the ports of one host. Recomputed from the latest probe, file and posture reports whenever
/// one changes; cheap (a pass over results × matching certificates). Thread-safe.
namespace portwarden::certfiles {

/// True when certificate name `pattern` (a DNS SAN or CN, lowercase; "*.example.com"
/// covers exactly one left-most label) covers `host` (case-insensitive), as RFC 6125 §6.4.3.
bool NameCovers(std::string_view pattern, std::string_view host);

/// True when `cert` is meant for `server_name`: a DNS name covering it, or an IP SAN equal to
/// it. A CA certificate matched only by its CN is not.
bool CertificateMatches(const DiskCertificate& cert, std::string_view server_name);

/// "Renewed, not reloaded": for each probe result with a served leaf and each file holding a
/// certificate for the result's server_name, one entry; renewed_not_served is set when the
/// file holds such a certificate that is not the served one (fingerprint) and was issued
/// later (notBefore).
std::vector<RenewedNotServed> FindRenewedNotServed(const probe::ProbeReport& probes,
                                                   const CertFileReport& files);

/// Drift, and every consistency aspect (consistency.h) over the probes and the posture run.
CrossCheckReport CrossCheck(const probe::ProbeReport& probes,
                            const CertFileReport& files,
                            const posture::PostureReport& posture);

}  // namespace portwarden::certfiles
