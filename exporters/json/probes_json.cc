#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {
namespace {

void WriteOptional(JsonWriter& out, std::string_view key, const std::optional<double>& value) {
  if (value) {
    out.Field(key, *value);
  }
}

void WriteCertificate(JsonWriter& out, const probe::CertificateInfo& cert, const std::string* pem) {
  out.BeginObject();
  if (pem != nullptr) {
    out.Field("pem", *pem);
  }
  out.Field("chain_pos", cert.chain_pos)
      .Field("subject_cn", cert.subject_cn)
      .Field("issuer_cn", cert.issuer_cn)
      .Field("not_before", cert.not_before)
      .Field("not_after", cert.not_after)
      .Field("serial", cert.serial)
      .Field("fingerprint_sha256", cert.fingerprint_sha256)
      .Field("san", cert.san)
      .Field("key_algorithm", cert.key_algorithm)
      .Field("key_bits", cert.key_bits)
      .Field("signature_algorithm", cert.signature_algorithm)
      .EndObject();
}

void WritePhases(JsonWriter& out, const probe::PhaseTimings& phases) {
  out.Key("phases").BeginObject();
  WriteOptional(out, "resolve", phases.resolve);
  WriteOptional(out, "connect", phases.connect);
  WriteOptional(out, "handshake", phases.handshake);
  WriteOptional(out, "http", phases.http);
  out.EndObject();
}

void WriteHttp(JsonWriter& out, const probe::ProbeResult& result) {
  if (result.http_status) {
    out.Field("http_status", *result.http_status);
  }
  if (result.hsts) {
    out.Field("hsts", *result.hsts);
  }
  WriteOptional(out, "hsts_max_age", result.hsts_max_age);
  if (result.companion_redirects_to_https) {
    out.Field("companion_address", result.companion_address)
        .Field("companion_status", result.companion_status.value_or(0))
        .Field("companion_location", result.companion_location)
        .Field("companion_redirects_to_https", *result.companion_redirects_to_https);
  }
}

void WriteResult(JsonWriter& out, const probe::ProbeResult& result) {
  WriteTargetFields(out.BeginObject(), result).Field("success", result.success);
  if (!result.success) {
    out.Field("failure_reason", result.failure_reason)
        .Field("failure_phase", result.failure_phase)
        .Field("failure_detail", result.failure_detail);
  }
  WritePhases(out, result.phases);
  out.Field("tls_version", result.tls_version)
      .Field("cipher", result.cipher)
      .Field("group", result.group)
      .Field("alpn", result.alpn)
      .Field("verified", result.verified)
      .Field("verify_result", result.verify_result)
      .Field("verify_detail", result.verify_detail)
      .Field("verify_depth", result.verify_depth);
  WriteHttp(out, result);
  if (!result.client_ca_names.empty()) {
    out.Key("client_ca_names").BeginArray();
    for (const auto& name : result.client_ca_names) {
      out.String(name);
    }
    out.EndArray();
  }
  out.Key("chain").BeginArray();
  for (std::size_t i = 0; i < result.chain.size(); ++i) {
    WriteCertificate(out, result.chain[i],
                     i < result.chain_pem.size() ? &result.chain_pem[i] : nullptr);
  }
  out.EndArray().EndObject();
}

}  // namespace

void WriteProbeResults(JsonWriter& out, const probe::ProbeReport& report) {
  out.BeginArray();
  for (const auto& result : report.results) {
    WriteResult(out, result);
  }
  out.EndArray();
}

}  // namespace portwarden::exporters::json
