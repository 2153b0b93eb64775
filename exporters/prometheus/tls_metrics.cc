// portwarden_tls_* and portwarden_http_*: the latest probe cycle, rendered. Certificate
// series come from whatever chain was presented, whether or not it verified; targets that
// were not in the latest cycle have no series at all.
#include <map>
#include <tuple>

#include "agent/probe/probe_result.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

void AppendProbeFamilies(const probe::ProbeReport& report, Families& out) {
  auto success = Gauge("portwarden_tls_probe_success",
                       "Whether the last probe connected, completed the TLS handshake, verified "
                       "the chain and passed the HTTP check when enabled (1) or not (0).");
  auto timestamp = Gauge("portwarden_tls_probe_timestamp_seconds",
                         "When the last probe of this endpoint finished, as Unix time.");
  auto duration = Gauge("portwarden_tls_probe_duration_seconds",
                        "Duration of each phase of the last probe, in seconds.");
  for (const auto& result : report.results) {
    const LabelList labels = EndpointLabels(result);
    success.Add(labels, result.success ? 1 : 0);
    timestamp.Add(labels, result.timestamp);
    const std::pair<const char*, const std::optional<double>*> phases[] = {
        {"resolve", &result.phases.resolve},
        {"connect", &result.phases.connect},
        {"handshake", &result.phases.handshake},
        {"http", &result.phases.http}};
    for (const auto& [phase, value] : phases) {
      if (value->has_value()) {
        duration.Add(With(labels, {{"phase", phase}}), **value);
      }
    }
  }
  success.MoveInto(out);
  timestamp.MoveInto(out);
  duration.MoveInto(out);
}

void AppendCounterFamilies(const probe::ProbeReport& report, Families& out) {
  auto probes = Counter("portwarden_tls_probes_total", "Probes run against this endpoint.");
  auto failures = Counter("portwarden_tls_probe_failures_total",
                          "Failed probes by reason (closed set, see docs/metrics.md).");
  for (const auto& [key, counters] : report.counters) {
    const LabelList labels = EndpointLabels(counters);
    probes.Add(labels, static_cast<double>(counters.probes_total));
    for (const auto& [reason, count] : counters.failures_by_reason) {
      failures.Add(With(labels, {{"reason", reason}}), static_cast<double>(count));
    }
  }
  probes.MoveInto(out);
  failures.MoveInto(out);
}

void AppendHistogramFamily(const probe::ProbeReport& report, Families& out) {
  struct Aggregate {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };

  // Keyed by (target, server_name, source), not by address: a name's addresses (and DNS
  // rotation's new ones) would multiply 15 series each; per-address latency is the
  // phase="handshake" gauge.
  std::map<std::tuple<std::string, std::string, std::string>, Aggregate> by_endpoint;
  for (const auto& [key, counters] : report.counters) {
    Aggregate& aggregate =
        by_endpoint[{counters.target, counters.server_name, probe::SourceName(counters.source)}];
    aggregate.buckets.resize(report.handshake_bounds.size());
    for (std::size_t i = 0; i < counters.handshake_bucket_counts.size(); ++i) {
      aggregate.buckets[i] += counters.handshake_bucket_counts[i];
    }
    aggregate.count += counters.handshake_count;
    aggregate.sum += counters.handshake_sum;
  }
  auto histogram = Histogram("portwarden_tls_handshake_seconds",
                             "TLS handshake durations of completed handshakes, per target, "
                             "server name and source.");
  for (const auto& [key, aggregate] : by_endpoint) {
    const auto& [target, server_name, source] = key;
    histogram.AddHistogram({{"target", target}, {"server_name", server_name}, {"source", source}},
                           report.handshake_bounds, aggregate.buckets, aggregate.count,
                           aggregate.sum);
  }
  histogram.MoveInto(out);
}

void AppendNegotiatedFamilies(const probe::ProbeReport& report, Families& out) {
  auto version = Gauge("portwarden_tls_version_info", "The negotiated TLS version.");
  auto cipher = Gauge("portwarden_tls_cipher_info", "The negotiated cipher suite (IANA name).");
  auto group = Gauge("portwarden_tls_group_info", "The negotiated key-exchange group.");
  for (const auto& result : report.results) {
    if (result.tls_version.empty()) {
      continue;
    }
    const LabelList labels = EndpointLabels(result);
    version.Add(With(labels, {{"version", result.tls_version}}), 1);
    cipher.Add(With(labels, {{"cipher", result.cipher}}), 1);
    if (!result.group.empty()) {
      group.Add(With(labels, {{"group", result.group}}), 1);
    }
  }
  version.MoveInto(out);
  cipher.MoveInto(out);
  group.MoveInto(out);
}

void AppendCertificateFamilies(const probe::ProbeReport& report, Families& out) {
  auto not_after = Gauge("portwarden_tls_cert_not_after_timestamp_seconds",
                         "NotAfter of each presented certificate, as Unix time (0 = leaf).");
  auto not_before = Gauge("portwarden_tls_cert_not_before_timestamp_seconds",
                          "NotBefore of each presented certificate, as Unix time (0 = leaf).");
  auto info =
      Gauge("portwarden_tls_cert_info", "Descriptive fields of each presented certificate.");
  for (const auto& result : report.results) {
    const LabelList labels = EndpointLabels(result);
    for (const auto& cert : result.chain) {
      const LabelList cert_labels = With(labels, {{"chain_pos", std::to_string(cert.chain_pos)}});
      not_after.Add(cert_labels, cert.not_after);
      not_before.Add(cert_labels, cert.not_before);
      info.Add(With(cert_labels, {{"subject_cn", cert.subject_cn},
                                  {"issuer_cn", cert.issuer_cn},
                                  {"serial", cert.serial},
                                  {"fingerprint_sha256", cert.fingerprint_sha256},
                                  {"san", cert.san},
                                  {"key_algorithm", cert.key_algorithm},
                                  {"key_bits", std::to_string(cert.key_bits)},
                                  {"signature_algorithm", cert.signature_algorithm}}),
               1);
    }
  }
  not_after.MoveInto(out);
  not_before.MoveInto(out);
  info.MoveInto(out);
}

// The chain's summary stays with the per-endpoint families: expiry alerts need it even when
// the per-certificate series are off.
void AppendEarliestNotAfter(const probe::ProbeReport& report, Families& out) {
  auto earliest = Gauge("portwarden_tls_chain_earliest_not_after_timestamp_seconds",
                        "The earliest NotAfter over the presented chain, as Unix time.");
  for (const auto& result : report.results) {
    if (const auto first = probe::EarliestNotAfter(result.chain)) {
      earliest.Add(EndpointLabels(result), *first);
    }
  }
  earliest.MoveInto(out);
}

void AppendVerifyFamilies(const probe::ProbeReport& report, Families& out) {
  auto verified = Gauge("portwarden_tls_cert_verified",
                        "Whether the presented chain verified against the trust store and the "
                        "server name (1) or not (0).");
  auto verify = Gauge("portwarden_tls_verify_result_info",
                      "The verification result (closed set, see docs/metrics.md).");
  for (const auto& result : report.results) {
    if (result.verify_result.empty()) {
      continue;
    }
    const LabelList labels = EndpointLabels(result);
    verified.Add(labels, result.verified ? 1 : 0);
    verify.Add(With(labels, {{"result", result.verify_result}}), 1);
  }
  verified.MoveInto(out);
  verify.MoveInto(out);
}

void AppendHttpFamilies(const probe::ProbeReport& report, Families& out) {
  auto status = Gauge("portwarden_http_status_code", "HTTP status code of the last GET.");
  auto hsts = Gauge("portwarden_http_hsts_present",
                    "Whether the response carried Strict-Transport-Security (1) or not (0).");
  auto max_age = Gauge("portwarden_http_hsts_max_age_seconds",
                       "The max-age of Strict-Transport-Security, in seconds.");
  auto redirects = Gauge("portwarden_http_redirects_to_https",
                         "Whether the endpoint's plain-HTTP companion answers with a redirect "
                         "to an https:// URL.");
  for (const auto& result : report.results) {
    const LabelList labels = EndpointLabels(result);
    if (result.http_status) {
      status.Add(labels, *result.http_status);
      hsts.Add(labels, result.hsts.value_or(false) ? 1 : 0);
    }
    if (result.hsts_max_age) {
      max_age.Add(labels, *result.hsts_max_age);
    }
    if (result.companion_redirects_to_https) {
      redirects.Add(With(labels, {{"companion", result.companion_address}}),
                    *result.companion_redirects_to_https ? 1 : 0);
    }
  }
  status.MoveInto(out);
  hsts.MoveInto(out);
  max_age.MoveInto(out);
  redirects.MoveInto(out);
}

}  // namespace

void AppendTlsProbeMetrics(const state::Snapshot& snapshot, Families& out) {
  const probe::ProbeReport& report = *snapshot.probes;
  AppendProbeFamilies(report, out);
  AppendCounterFamilies(report, out);
  AppendNegotiatedFamilies(report, out);
  AppendEarliestNotAfter(report, out);
  AppendVerifyFamilies(report, out);
}

void AppendTlsChainMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendCertificateFamilies(*snapshot.probes, out);
}

void AppendTlsHistogramMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendHistogramFamily(*snapshot.probes, out);
}

void AppendHttpMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendHttpFamilies(*snapshot.probes, out);
}

void AppendTlsMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendTlsProbeMetrics(snapshot, out);
  AppendTlsHistogramMetrics(snapshot, out);
  AppendTlsChainMetrics(snapshot, out);
  AppendHttpMetrics(snapshot, out);
}

}  // namespace portwarden::exporters::prom
