#include <cmath>
#include <cstdio>

#include "agent/core/terminal_escape.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/report.h"

namespace portwarden::exporters::report {
namespace {

// Numbers only: strings go through Safe() and are appended, so a long SAN list or error text
// is neither cut by the buffer nor able to drop the line's newline.
std::string Format(const char* format, auto... args) {
  char buffer[128];
  std::snprintf(buffer, sizeof(buffer), format, args...);
  return buffer;
}

// Certificate fields, peer error text and configured names, as a terminal shows them safely.
std::string Safe(const std::string& text) {
  return TerminalSafe(text);
}

std::string ChainText(const probe::ProbeResult& result, double now) {
  std::string out = "  chain:\n";
  for (const auto& cert : result.chain) {
    const double days = (cert.not_after - now) / 86400.0;
    out += "    [" + std::to_string(cert.chain_pos) + "] " + Safe(cert.subject_cn) + "  (issuer " +
           Safe(cert.issuer_cn) + ")\n";
    out += "        valid " + UtcTimestamp(cert.not_before) + " .. " +
           UtcTimestamp(cert.not_after) + "  " + (days < 0 ? "EXPIRED " : "") +
           Format("%.1f days", std::fabs(days)) + (days < 0 ? " ago" : " left") + "\n";
    out += "        " + Safe(cert.key_algorithm) + " " + std::to_string(cert.key_bits) + " bits, " +
           Safe(cert.signature_algorithm) + ", serial " + Safe(cert.serial) + "\n";
    out += "        sha256 " + Safe(cert.fingerprint_sha256) + "\n";
    if (!cert.san.empty()) {
      out += "        san " + Safe(cert.san) + "\n";
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
    out += "  plain http " + Safe(result.companion_address) + ": status " +
           std::to_string(result.companion_status.value_or(0)) + ", location " +
           (result.companion_location.empty() ? "-" : Safe(result.companion_location)) +
           "; redirects to https: " + (*result.companion_redirects_to_https ? "yes" : "no") + "\n";
  }
  return out;
}

// "  failure: connect_refused during connect: Connection refused"; the phase is left out when
// it says the same as the reason ("verify"), the detail when there is none.
std::string FailureLine(const probe::ProbeResult& result) {
  std::string out = "  failure: " + Safe(result.failure_reason);
  if (!result.failure_phase.empty() && result.failure_phase != result.failure_reason) {
    out += " during " + Safe(result.failure_phase);
  }
  if (!result.failure_detail.empty()) {
    out += ": " + Safe(result.failure_detail);
  }
  return out + "\n";
}

// "  verify: ok", or "  verify: expired at chain_pos 0 (certificate has expired)".
std::string VerifyLine(const probe::ProbeResult& result) {
  std::string out = "  verify: " + Safe(result.verify_result);
  if (result.verify_depth >= 0 && result.verify_result != "ok") {
    out += " at chain_pos " + std::to_string(result.verify_depth);
  }
  if (!result.verify_detail.empty() && result.verify_detail != result.verify_result) {
    out += " (" + Safe(result.verify_detail) + ")";
  }
  return out + "\n";
}

}  // namespace

std::string ProbeReportText(const probe::ProbeResult& result, double now) {
  std::string out = Safe(result.target) + " (" +
                    (result.address.empty() ? "unresolved" : Safe(result.address)) + ", SNI " +
                    Safe(result.server_name) + "): " + (result.success ? "OK" : "FAILED") + "\n";
  if (!result.success) {
    out += FailureLine(result);
  }
  if (!result.tls_version.empty()) {
    out += "  tls: " + Safe(result.tls_version) + ", " + Safe(result.cipher) + ", group " +
           (result.group.empty() ? "-" : Safe(result.group)) + ", ALPN " +
           (result.alpn.empty() ? "none" : Safe(result.alpn)) + "\n";
  }
  if (!result.verify_result.empty()) {
    out += VerifyLine(result);
  }
  if (!result.client_ca_names.empty()) {
    out += "  client certificate asked for, from these CAs:\n";
    for (const auto& name : result.client_ca_names) {
      out += "    " + Safe(name) + "\n";
    }
  }
  if (!result.chain.empty()) {
    out += ChainText(result, now);
  }
  return out + HttpText(result) + PhaseText(result.phases);
}

std::string ChainPem(const probe::ProbeResult& result) {
  std::string out;
  for (std::size_t i = 0; i < result.chain_pem.size(); ++i) {
    const std::string subject = i < result.chain.size() ? result.chain[i].subject_cn : "";
    out += "# [" + std::to_string(i) + "] " + Safe(subject) + "\n" + result.chain_pem[i];
  }
  return out;
}

}  // namespace portwarden::exporters::report
