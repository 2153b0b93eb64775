// portwarden_tls_cert_revoked, portwarden_tls_crl_*, portwarden_tls_ocsp_staple_*: the
// revocation checks of the latest posture run. A certificate without an http:// CRL
// distribution point has no CRL series; one whose CRL could not be used has an error series.
#include <set>

#include "agent/posture/posture_report.h"
#include "agent/probe/revocation_result.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

struct CrlFamilies {
  FamilyBuilder revoked = Gauge(
      "portwarden_tls_cert_revoked",
      "Whether this certificate of the served chain is revoked (1) or not (0), by its verified "
      "CRL or (leaf) verified stapled OCSP response; absent when neither gave a verdict.");
  FamilyBuilder this_update =
      Gauge("portwarden_tls_crl_this_update_timestamp_seconds",
            "thisUpdate of the CRL held for this certificate, as Unix time (CRL age = now - it).");
  FamilyBuilder next_update = Gauge("portwarden_tls_crl_next_update_timestamp_seconds",
                                    "nextUpdate of the CRL held for this certificate, as Unix "
                                    "time: the CA promises a new CRL by then.");
  FamilyBuilder fetched = Gauge("portwarden_tls_crl_fetch_timestamp_seconds",
                                "When the CRL held for this certificate was downloaded.");
  FamilyBuilder stale = Gauge("portwarden_tls_crl_stale",
                              "Whether the CRL held for this certificate was past its "
                              "nextUpdate when checked (1): no newer CRL could be had.");
  FamilyBuilder error = Gauge("portwarden_tls_crl_check_error",
                              "Why the last CRL download or check for this certificate failed "
                              "(closed set of reasons, see docs/metrics.md).");

  void Add(const LabelList& endpoint, const probe::CrlCheck& check) {
    const LabelList labels = With(endpoint, {{"chain_pos", std::to_string(check.chain_pos)}});
    if (check.this_update) {
      this_update.Add(labels, *check.this_update);
    }
    if (check.next_update) {
      next_update.Add(labels, *check.next_update);
    }
    if (check.fetched_at) {
      fetched.Add(labels, *check.fetched_at);
      stale.Add(labels, check.stale ? 1 : 0);
    }
    if (!check.error.empty()) {
      error.Add(With(labels, {{"reason", check.error}}), 1);
    }
  }

  void MoveInto(Families& out) {
    for (auto* family : {&revoked, &this_update, &next_update, &fetched, &stale, &error}) {
      family->MoveInto(out);
    }
  }
};

}  // namespace

void AppendRevocationMetrics(const state::Snapshot& snapshot, Families& out) {
  CrlFamilies crl;
  auto staple = Gauge("portwarden_tls_ocsp_staple_info",
                      "The stapled OCSP response of the leaf, verified: status none (nothing "
                      "stapled), good, revoked, unknown or invalid.");
  auto staple_next = Gauge("portwarden_tls_ocsp_staple_next_update_timestamp_seconds",
                           "nextUpdate of the stapled OCSP response, as Unix time.");
  for (const auto& result : snapshot.posture->results) {
    if (!result.reached) {
      continue;
    }
    const LabelList endpoint = EndpointLabels(result);
    const auto& report = result.revocation;
    for (const auto& check : report.crls) {
      crl.Add(endpoint, check);
    }
    // One revoked series per chain position with a verdict from either source.
    std::set<int> positions{0};
    for (const auto& check : report.crls) {
      positions.insert(check.chain_pos);
    }
    for (const int pos : positions) {
      if (auto revoked = probe::Revoked(report, pos)) {
        crl.revoked.Add(With(endpoint, {{"chain_pos", std::to_string(pos)}}), *revoked ? 1 : 0);
      }
    }
    staple.Add(With(endpoint, {{"status", report.staple.status}}), 1);
    if (report.staple.next_update) {
      staple_next.Add(endpoint, *report.staple.next_update);
    }
  }
  crl.MoveInto(out);
  staple.MoveInto(out);
  staple_next.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
