// portwarden_cert_file_* and the cross-checks: the latest read of the [[certificates]] files,
// and what the engine concluded from them and the probes (drift, consistency across ports).
#include "agent/certfiles/cert_file_report.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

void AppendDiskCertificates(const certfiles::CertFileReport& report, Families& out) {
  auto not_after = Gauge("portwarden_cert_file_not_after_timestamp_seconds",
                         "NotAfter of each certificate of a [[certificates]] file, as Unix time.");
  auto not_before =
      Gauge("portwarden_cert_file_not_before_timestamp_seconds",
            "NotBefore of each certificate of a [[certificates]] file, as Unix time.");
  auto info = Gauge("portwarden_cert_file_info",
                    "Identity of each certificate of a [[certificates]] file (always 1).");
  for (const auto& cert : report.certificates) {
    const LabelList labels = {{"path", cert.path}, {"index", std::to_string(cert.index)}};
    not_after.Add(labels, cert.info.not_after);
    not_before.Add(labels, cert.info.not_before);
    info.Add({{"path", cert.path},
              {"index", std::to_string(cert.index)},
              {"subject_cn", cert.info.subject_cn},
              {"issuer_cn", cert.info.issuer_cn},
              {"serial", cert.info.serial},
              {"fingerprint_sha256", cert.info.fingerprint_sha256},
              {"san", cert.info.san}},
             1);
  }
  not_after.MoveInto(out);
  not_before.MoveInto(out);
  info.MoveInto(out);
}

void AppendFileErrors(const certfiles::CertFileReport& report, Families& out) {
  auto errors = Gauge("portwarden_cert_file_error",
                      "A [[certificates]] path that gave no certificate or a problem, by reason "
                      "(closed set, see docs/metrics.md); always 1.");
  for (const auto& error : report.errors) {
    errors.Add(
        {{"path", error.path}, {"reason", std::string(certfiles::FileErrorName(error.reason))}}, 1);
  }
  errors.MoveInto(out);
}

void AppendDrift(const certfiles::CrossCheckReport& checks, Families& out) {
  auto drift = Gauge("portwarden_tls_cert_renewed_not_served",
                     "1 when a [[certificates]] file holds a certificate for this endpoint's "
                     "server name that is newer than the one served (renewed, not reloaded).");
  for (const auto& entry : checks.drift) {
    drift.Add(With(EndpointLabels(entry), {{"path", entry.path}}),
              entry.renewed_not_served ? 1 : 0);
  }
  drift.MoveInto(out);
}

}  // namespace

void AppendCertFileMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendDiskCertificates(*snapshot.cert_files, out);
  AppendFileErrors(*snapshot.cert_files, out);
  AppendDrift(*snapshot.cross_checks, out);
}

void AppendConsistencyMetrics(const state::Snapshot& snapshot, Families& out) {
  auto inconsistent = Gauge("portwarden_tls_posture_inconsistent",
                            "1 when the ports of one host and server name differ in an aspect "
                            "(leaf_certificate, protocols, ciphers, groups); 0 when they agree.");
  for (const auto& entry : snapshot.cross_checks->consistency) {
    inconsistent.Add(
        {{"host", entry.host}, {"server_name", entry.server_name}, {"aspect", entry.aspect}},
        entry.inconsistent ? 1 : 0);
  }
  inconsistent.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
