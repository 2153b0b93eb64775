#include "agent/core/terminal_escape.h"
#include "exporters/report/audit_report.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/html_parts.h"

namespace portwarden::exporters::report {
namespace {

// Text that a Markdown renderer shows as it is: controls and bidi characters visible (as in
// the terminal), and every character with a Markdown or HTML meaning backslash-escaped or as
// a reference, so a name cannot end a table cell, open a link or inject markup.
std::string Md(std::string_view raw) {
  const std::string safe = TerminalSafe(raw);
  std::string out;
  out.reserve(safe.size());
  for (const char c : safe) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '|':
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '#':
      case '~':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

void Table(std::string& out,
           const std::vector<std::string>& headers,
           const std::vector<std::vector<std::string>>& rows,
           std::string_view empty) {
  if (rows.empty()) {
    out += "_" + Md(empty) + "_\n\n";
    return;
  }
  std::string rule = "|";
  out += "|";
  for (const auto& header : headers) {
    out += " " + header + " |";
    rule += " --- |";
  }
  out += "\n" + rule + "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& cell : row) {
      out += " " + Md(cell.empty() ? "-" : cell) + " |";
    }
    out += "\n";
  }
  out += "\n";
}

}  // namespace

std::string MarkdownReport(const state::Snapshot& snapshot, const ReportContext& context) {
  const AuditView view = BuildAuditView(snapshot, context.generated_at);
  const auto& host = snapshot.host;
  std::string out = "# Port audit of " + Md(host.hostname) + ", " +
                    UtcTime(context.generated_at).substr(0, 10) + "\n\n";
  for (const auto& [name, value] : ReportFacts(snapshot, context, false)) {
    out += "- **" + std::string(name) + ":** " + Md(value.empty() ? "-" : value) + "\n";
  }
  const Summary& s = view.summary;
  out += "\n## Summary\n\n";
  out += "- Listeners: " + std::to_string(s.listeners) + " (public " +
         std::to_string(s.by_scope[3]) + ", private " + std::to_string(s.by_scope[2]) +
         ", link_local " + std::to_string(s.by_scope[1]) + ", loopback " +
         std::to_string(s.by_scope[0]) + ")\n";
  out += "- Violations: " + std::to_string(s.violations) + "\n";
  out += "- TLS endpoints: " + std::to_string(s.endpoints) + ", failing " +
         std::to_string(s.probe_failures) + "\n";
  out += "- Soonest certificate per endpoint:";
  for (const ExpiryBucket bucket : kAllExpiryBuckets) {
    out += std::string(bucket == ExpiryBucket::kExpired ? " " : ", ") +
           Md(ExpiryBucketName(bucket)) + " " +
           std::to_string(s.by_expiry[static_cast<std::size_t>(bucket)]);
  }
  out += "\n\n## Violations\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : html::ViolationRows(view)) {
    rows.emplace_back();
    for (const auto& cell : row) {
      rows.back().push_back(cell.text);
    }
  }
  Table(out, {"Namespace", "Proto", "Address", "Reach", "Process", "Unit", "Rule", "Allowed"}, rows,
        "No listener violates the exposure policy.");
  out += "## Changes since the baseline\n\n";
  if (!context.baseline.configured) {
    out += "_No baseline is configured: the report lists the listeners as they are._\n\n";
  } else {
    out += "Baseline: " + Md(context.baseline.baseline) + "\n\n";
    if (!context.baseline.problem.empty()) {
      out += "**" + Md(context.baseline.problem) + "**\n\n";
    }
    rows.clear();
    for (const auto& row : html::ChangeRows(context.baseline)) {
      rows.emplace_back();
      for (const auto& cell : row) {
        rows.back().push_back(cell.text);
      }
    }
    std::vector<std::string> headers(html::ChangeHeaders().begin(), html::ChangeHeaders().end());
    Table(out, headers, rows, "No listener was added, removed or changed since the baseline.");
  }
  out += "## Listeners\n\n";
  rows.clear();
  for (const ListenerRow& row : view.listeners) {
    const auto& l = *row.listener;
    rows.push_back({l.netns, std::string(ProtocolName(l.protocol)), row.endpoint,
                    std::string(ScopeName(l.scope)), ProcessText(l.process),
                    UserText(context, l.uid), l.process.exe, l.process.unit, row.verdict});
  }
  Table(out,
        {"Namespace", "Proto", "Address", "Reach", "Process", "User", "Executable", "Unit",
         "Verdict"},
        rows, "No listener.");
  out += "## TLS endpoints\n\n";
  rows.clear();
  for (const auto& row : html::EndpointRows(view)) {
    rows.emplace_back();
    for (const auto& cell : row) {
      rows.back().push_back(cell.text);
    }
  }
  Table(out,
        {"Target", "Address", "Certificate", "Verdict", "Days left", "TLS", "Last error",
         "Last probe"},
        rows, "No TLS endpoint probed.");
  for (const EndpointRow& endpoint : view.endpoints) {
    const auto& r = *endpoint.result;
    if (r.chain.empty()) {
      continue;
    }
    out += "### " + Md(r.target + " (" + r.address + ", SNI " + r.server_name + ")") + "\n\n";
    rows.clear();
    for (const auto& cert : r.chain) {
      rows.push_back({std::to_string(cert.chain_pos), cert.subject_cn, cert.issuer_cn,
                      UtcTime(cert.not_after),
                      html::DaysText((cert.not_after - context.generated_at) / 86400.0),
                      cert.key_algorithm + " " + std::to_string(cert.key_bits), cert.san,
                      cert.fingerprint_sha256});
    }
    Table(out, {"#", "Subject", "Issuer", "Not after", "Days left", "Key", "SAN", "SHA-256"}, rows,
          "");
  }
  return out;
}

}  // namespace portwarden::exporters::report
