#include <cmath>
#include <cstdio>
#include <ctime>

#include "exporters/report/report.h"

namespace portwarden::exporters::report {
namespace {

std::string Format(const char* format, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof(buffer), format, args...);
  return buffer;
}

std::string UtcDate(double unix_seconds) {
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%SZ", &parts);
  return buffer;
}

std::string ChainText(const probe::ProbeResult& result, double now) {
  std::string out = "  chain:\n";
  for (const auto& cert : result.chain) {
    const double days = (cert.not_after - now) / 86400.0;
    out += Format("    [%d] %s  (issuer %s)\n", cert.chain_pos, cert.subject_cn.c_str(),
                  cert.issuer_cn.c_str());
    out += Format("        valid %s .. %s  %s%.1f days%s\n", UtcDate(cert.not_before).c_str(),
                  UtcDate(cert.not_after).c_str(), days < 0 ? "EXPIRED " : "", std::fabs(days),
                  days < 0 ? " ago" : " left");
    out += Format("        %s %d bits, %s, serial %s\n", cert.key_algorithm.c_str(), cert.key_bits,
                  cert.signature_algorithm.c_str(), cert.serial.c_str());
    out += Format("        sha256 %s\n", cert.fingerprint_sha256.c_str());
    if (!cert.san.empty()) {
      out += Format("        san %s\n", cert.san.c_str());
    }
  }
  return out;
}

std::string PhaseText(const probe::PhaseTimings& phases) {
  std::string out = "  phases:";
  double total = 0;
  auto add = [&](const char* name, const std::optional<double>& value) {
    if (value) {
      out += Format(" %s %.1f ms", name, *value * 1000);
      total += *value;
    }
  };
  add("resolve", phases.resolve);
  add("connect", phases.connect);
  add("handshake", phases.handshake);
  add("http", phases.http);
  return out + Format("  (total %.1f ms)\n", total * 1000);
}

std::string HttpText(const probe::ProbeResult& result) {
  std::string out;
  if (result.http_status) {
    out += Format("  http: status %d", *result.http_status);
    if (result.hsts.value_or(false)) {
      out += Format(", HSTS max-age %.0f", result.hsts_max_age.value_or(-1));
    } else {
      out += ", no HSTS";
    }
    out += "\n";
  }
  if (result.companion_redirects_to_https) {
    out += Format("  plain http %s: status %d, location %s; redirects to https: %s\n",
                  result.companion_address.c_str(), result.companion_status.value_or(0),
                  result.companion_location.empty() ? "-" : result.companion_location.c_str(),
                  *result.companion_redirects_to_https ? "yes" : "no");
  }
  return out;
}

}  // namespace

std::string ProbeReportText(const probe::ProbeResult& result, double now) {
  std::string out = Format("%s (%s, SNI %s): %s\n", result.target.c_str(),
                           result.address.empty() ? "unresolved" : result.address.c_str(),
                           result.server_name.c_str(), result.success ? "OK" : "FAILED");
  if (!result.success) {
    out += Format("  failure: %s in %s: %s\n", result.failure_reason.c_str(),
                  result.failure_phase.c_str(), result.failure_detail.c_str());
  }
  if (!result.tls_version.empty()) {
    out += Format("  tls: %s, %s, group %s\n", result.tls_version.c_str(), result.cipher.c_str(),
                  result.group.empty() ? "-" : result.group.c_str());
  }
  if (!result.verify_result.empty()) {
    out += Format(
        "  verify: %s (%s)%s\n", result.verify_result.c_str(), result.verify_detail.c_str(),
        result.verify_depth >= 0 ? Format(" at chain_pos %d", result.verify_depth).c_str() : "");
  }
  if (!result.chain.empty()) {
    out += ChainText(result, now);
  }
  return out + HttpText(result) + PhaseText(result.phases);
}

}  // namespace portwarden::exporters::report
