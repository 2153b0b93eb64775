// portwarden_tls_* and portwarden_http_*: the latest probe cycle, rendered. Certificate
// series come from whatever chain was presented, whether or not it verified; targets that
// were not in the latest cycle have no series at all. These are the per-endpoint families
// (about 30 series per endpoint), so they are written through a MetricWriter: /metrics
// streams them as text without building prometheus-cpp families (text_writer.h).
#include <charconv>
#include <map>
#include <string_view>
#include <tuple>

#include "agent/probe/probe_result.h"
#include "exporters/prometheus/endpoint_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

using prometheus::MetricType;

void WriteProbeFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_tls_probe_success",
             "Whether the last probe connected, completed the TLS handshake, verified "
             "the chain and passed the HTTP check when enabled (1) or not (0).",
             MetricType::Gauge);
  for (const auto& result : report.results) {
    out.Sample(EndpointLabelViews(result), result.success ? 1 : 0);
  }
  out.Family("portwarden_tls_probe_timestamp_seconds",
             "When the last probe of this endpoint finished, as Unix time.", MetricType::Gauge);
  for (const auto& result : report.results) {
    out.Sample(EndpointLabelViews(result), result.timestamp);
  }
  out.Family("portwarden_tls_probe_duration_seconds",
             "Duration of each phase of the last probe, in seconds.", MetricType::Gauge);
  for (const auto& result : report.results) {
    const auto labels = EndpointLabelViews(result);
    const std::pair<const char*, const std::optional<double>*> phases[] = {
        {"resolve", &result.phases.resolve},
        {"connect", &result.phases.connect},
        {"handshake", &result.phases.handshake},
        {"http", &result.phases.http}};
    for (const auto& [phase, value] : phases) {
      if (value->has_value()) {
        out.Sample(labels, {{"phase", phase}}, **value);
      }
    }
  }
}

void WriteCounterFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_tls_probes_total", "Probes run against this endpoint.",
             MetricType::Counter);
  for (const auto& [key, counters] : report.counters) {
    out.Sample(EndpointLabelViews(counters), static_cast<double>(counters.probes_total));
  }
  out.Family("portwarden_tls_probe_failures_total",
             "Failed probes by reason (closed set, see docs/metrics.md).", MetricType::Counter);
  for (const auto& [key, counters] : report.counters) {
    const auto labels = EndpointLabelViews(counters);
    for (const auto& [reason, count] : counters.failures_by_reason) {
      out.Sample(labels, {{"reason", reason}}, static_cast<double>(count));
    }
  }
}

void WriteHistogramFamily(const probe::ProbeReport& report, MetricWriter& out) {
  struct Aggregate {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };

  // Keyed by (target, server_name, source), not by address: a name's addresses (and DNS
  // rotation's new ones) would multiply 15 series each; per-address latency is the
  // phase="handshake" gauge. The keys are views into the report, which outlives the map.
  std::map<std::tuple<std::string_view, std::string_view, std::string_view>, Aggregate> by_endpoint;
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
  out.Family("portwarden_tls_handshake_seconds",
             "TLS handshake durations of completed handshakes, per target, "
             "server name and source.",
             MetricType::Histogram);
  for (const auto& [key, aggregate] : by_endpoint) {
    const auto& [target, server_name, source] = key;
    const LabelView labels[] = {
        {"target", target}, {"server_name", server_name}, {"source", source}};
    out.Histogram(labels, report.handshake_bounds, aggregate.buckets, aggregate.count,
                  aggregate.sum);
  }
}

void WriteNegotiatedFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_tls_version_info", "The negotiated TLS version.", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (!result.tls_version.empty()) {
      out.Sample(EndpointLabelViews(result), {{"version", result.tls_version}}, 1);
    }
  }
  out.Family("portwarden_tls_cipher_info", "The negotiated cipher suite (IANA name).",
             MetricType::Gauge);
  for (const auto& result : report.results) {
    if (!result.tls_version.empty()) {
      out.Sample(EndpointLabelViews(result), {{"cipher", result.cipher}}, 1);
    }
  }
  out.Family("portwarden_tls_group_info", "The negotiated key-exchange group.", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (!result.tls_version.empty() && !result.group.empty()) {
      out.Sample(EndpointLabelViews(result), {{"group", result.group}}, 1);
    }
  }
}

// `chain_pos` and `key_bits` as text, without a std::string per certificate.
struct Decimal {
  explicit Decimal(int value) {
    size = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof(digits), value).ptr -
                                    digits);
  }

  std::string_view view() const { return {digits, size}; }

  char digits[12];
  std::size_t size;
};

void WriteCertificateFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  const auto each_cert = [&report](auto&& write) {
    for (const auto& result : report.results) {
      const auto labels = EndpointLabelViews(result);
      for (const auto& cert : result.chain) {
        write(labels, cert, Decimal(cert.chain_pos));
      }
    }
  };
  out.Family("portwarden_tls_cert_not_after_timestamp_seconds",
             "NotAfter of each presented certificate, as Unix time (0 = leaf).", MetricType::Gauge);
  each_cert([&out](const auto& labels, const probe::CertificateInfo& cert, const Decimal& pos) {
    out.Sample(labels, {{"chain_pos", pos.view()}}, cert.not_after);
  });
  out.Family("portwarden_tls_cert_not_before_timestamp_seconds",
             "NotBefore of each presented certificate, as Unix time (0 = leaf).",
             MetricType::Gauge);
  each_cert([&out](const auto& labels, const probe::CertificateInfo& cert, const Decimal& pos) {
    out.Sample(labels, {{"chain_pos", pos.view()}}, cert.not_before);
  });
  out.Family("portwarden_tls_cert_info", "Descriptive fields of each presented certificate.",
             MetricType::Gauge);
  each_cert([&out](const auto& labels, const probe::CertificateInfo& cert, const Decimal& pos) {
    const Decimal bits(cert.key_bits);
    out.Sample(labels,
               {{"chain_pos", pos.view()},
                {"subject_cn", cert.subject_cn},
                {"issuer_cn", cert.issuer_cn},
                {"serial", cert.serial},
                {"fingerprint_sha256", cert.fingerprint_sha256},
                {"san", cert.san},
                {"key_algorithm", cert.key_algorithm},
                {"key_bits", bits.view()},
                {"signature_algorithm", cert.signature_algorithm}},
               1);
  });
}

// The chain's summary stays with the per-endpoint families: expiry alerts need it even when
// the per-certificate series are off.
void WriteEarliestNotAfter(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_tls_chain_earliest_not_after_timestamp_seconds",
             "The earliest NotAfter over the presented chain, as Unix time.", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (const auto first = probe::EarliestNotAfter(result.chain)) {
      out.Sample(EndpointLabelViews(result), *first);
    }
  }
}

void WriteVerifyFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_tls_cert_verified",
             "Whether the presented chain verified against the trust store and the "
             "server name (1) or not (0).",
             MetricType::Gauge);
  for (const auto& result : report.results) {
    if (!result.verify_result.empty()) {
      out.Sample(EndpointLabelViews(result), result.verified ? 1 : 0);
    }
  }
  out.Family("portwarden_tls_verify_result_info",
             "The verification result (closed set, see docs/metrics.md).", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (!result.verify_result.empty()) {
      out.Sample(EndpointLabelViews(result), {{"result", result.verify_result}}, 1);
    }
  }
}

void WriteHttpFamilies(const probe::ProbeReport& report, MetricWriter& out) {
  out.Family("portwarden_http_status_code", "HTTP status code of the last GET.", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (result.http_status) {
      out.Sample(EndpointLabelViews(result), *result.http_status);
    }
  }
  out.Family("portwarden_http_hsts_present",
             "Whether the response carried Strict-Transport-Security (1) or not (0).",
             MetricType::Gauge);
  for (const auto& result : report.results) {
    if (result.http_status) {
      out.Sample(EndpointLabelViews(result), result.hsts.value_or(false) ? 1 : 0);
    }
  }
  out.Family("portwarden_http_hsts_max_age_seconds",
             "The max-age of Strict-Transport-Security, in seconds.", MetricType::Gauge);
  for (const auto& result : report.results) {
    if (result.hsts_max_age) {
      out.Sample(EndpointLabelViews(result), *result.hsts_max_age);
    }
  }
  out.Family("portwarden_http_redirects_to_https",
             "Whether the endpoint's plain-HTTP companion answers with a redirect "
             "to an https:// URL.",
             MetricType::Gauge);
  for (const auto& result : report.results) {
    if (result.companion_redirects_to_https) {
      out.Sample(EndpointLabelViews(result), {{"companion", result.companion_address}},
                 *result.companion_redirects_to_https ? 1 : 0);
    }
  }
}

}  // namespace

void WriteTlsProbeMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  const probe::ProbeReport& report = *snapshot.probes;
  WriteProbeFamilies(report, out);
  WriteCounterFamilies(report, out);
  WriteNegotiatedFamilies(report, out);
  WriteEarliestNotAfter(report, out);
  WriteVerifyFamilies(report, out);
}

void WriteTlsChainMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  WriteCertificateFamilies(*snapshot.probes, out);
}

void WriteTlsHistogramMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  WriteHistogramFamily(*snapshot.probes, out);
}

void WriteHttpMetrics(const state::Snapshot& snapshot, MetricWriter& out) {
  WriteHttpFamilies(*snapshot.probes, out);
}

void AppendTlsProbeMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WriteTlsProbeMetrics(snapshot, writer);
}

void AppendTlsChainMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WriteTlsChainMetrics(snapshot, writer);
}

void AppendTlsHistogramMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WriteTlsHistogramMetrics(snapshot, writer);
}

void AppendHttpMetrics(const state::Snapshot& snapshot, Families& out) {
  FamiliesWriter writer(out);
  WriteHttpMetrics(snapshot, writer);
}

void AppendTlsMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendTlsProbeMetrics(snapshot, out);
  AppendTlsHistogramMetrics(snapshot, out);
  AppendTlsChainMetrics(snapshot, out);
  AppendHttpMetrics(snapshot, out);
}

}  // namespace portwarden::exporters::prom
