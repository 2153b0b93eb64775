#include "agent/core/version_info.h"
#include "exporters/report/audit_report.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/html_parts.h"

namespace portwarden::exporters::report {
namespace {

using html::AppendText;
using html::Cell;

void AppendFacts(std::string& out, const state::Snapshot& snapshot, const ReportContext& context) {
  out += "<div class=\"scroll\"><table id=\"identity\"><tbody>\n";
  for (const auto& [name, value] : ReportFacts(snapshot, context, true)) {
    out += "<tr><th scope=\"row\">";
    out += name;
    out += "</th><td>";
    AppendText(out, value.empty() ? "-" : value);
    out += "</td></tr>\n";
  }
  out += "</tbody></table></div>\n";
}

std::vector<std::vector<Cell>> OwnerRows(const AuditView& view, const ReportContext& context) {
  std::vector<std::vector<Cell>> rows;
  for (const ListenerRow& row : view.listeners) {
    const auto& l = *row.listener;
    rows.push_back({{l.netns},
                    {std::string(ProtocolName(l.protocol)), "kw"},
                    {row.endpoint},
                    {std::string(ScopeName(l.scope)), "kw"},
                    {ProcessText(l.process)},
                    {UserText(context, l.uid), "kw"},
                    {l.process.exe.empty() ? "-" : l.process.exe},
                    {l.process.unit.empty() ? "-" : l.process.unit},
                    {row.has_verdict ? row.verdict : "-",
                     row.violation ? "kw bad" : (row.has_verdict ? "kw ok" : "kw")},
                    {UtcTime(row.first_seen), "kw"}});
  }
  return rows;
}

void AppendChains(std::string& out, const AuditView& view, double now) {
  for (std::size_t i = 0; i < view.endpoints.size(); ++i) {
    const auto& r = *view.endpoints[i].result;
    if (r.chain.empty()) {
      continue;
    }
    out += "<h3>";
    AppendText(out, r.target + " (" + r.address + ", SNI " + r.server_name +
                        "): " + view.endpoints[i].verdict);
    out += "</h3>\n";
    std::vector<std::vector<Cell>> rows;
    for (const auto& cert : r.chain) {
      const double days = (cert.not_after - now) / 86400.0;
      rows.push_back({{std::to_string(cert.chain_pos), "num"},
                      {cert.subject_cn},
                      {cert.issuer_cn},
                      {UtcTime(cert.not_before), "kw"},
                      {UtcTime(cert.not_after), "kw"},
                      {html::DaysText(days), days < 0 ? "num bad" : "num"},
                      {cert.key_algorithm + " " + std::to_string(cert.key_bits)},
                      {cert.signature_algorithm},
                      {cert.san.empty() ? "-" : cert.san},
                      {cert.fingerprint_sha256}});
    }
    const std::string id = "chain-" + std::to_string(i);
    html::AppendTable(out, id.c_str(),
                      {"#", "Subject", "Issuer", "Not before", "Not after", "Days left", "Key",
                       "Signature", "SAN", "SHA-256"},
                      rows, "");
  }
}

void AppendBaseline(std::string& out, const BaselineChanges& baseline) {
  html::AppendHeading(out, "changes-heading", "Changes since the baseline");
  if (!baseline.configured) {
    out +=
        "<p class=\"empty\" id=\"changes\">No baseline is configured: the report lists the "
        "listeners as they are.</p>\n";
    return;
  }
  out += "<p class=\"meta\" id=\"baseline\">Baseline: ";
  AppendText(out, baseline.baseline);
  out += "</p>\n";
  if (!baseline.problem.empty()) {
    out += "<p class=\"warn\" id=\"baseline-problem\">";
    AppendText(out, baseline.problem);
    out += "</p>\n";
  }
  html::AppendTable(out, "changes", html::ChangeHeaders(), html::ChangeRows(baseline),
                    "No listener was added, removed or changed since the baseline.");
}

}  // namespace

std::string UserText(const ReportContext& context, std::uint32_t uid) {
  const auto it = context.user_names.find(uid);
  return it == context.user_names.end() ? std::to_string(uid)
                                        : it->second + " (" + std::to_string(uid) + ")";
}

std::vector<std::pair<const char*, std::string>> ReportFacts(const state::Snapshot& snapshot,
                                                             const ReportContext& context,
                                                             bool with_start_time) {
  const auto& host = snapshot.host;
  std::vector<std::pair<const char*, std::string>> facts = {
      {"Host", host.hostname},
      {"Machine ID", host.machine_id.empty() ? "not readable" : host.machine_id},
      {"Kernel", host.kernel},
      {"Operating system", host.os},
      {"Agent", context.agent_version + " (revision " + context.agent_revision + ")"},
      {"Data", context.source},
  };
  if (with_start_time) {
    facts.emplace_back("Agent started", UtcTime(snapshot.start_timestamp));
  }
  facts.emplace_back("Configuration",
                     snapshot.reload.source.empty() ? "built-in defaults" : snapshot.reload.source);
  facts.emplace_back("Report generated",
                     UtcTime(context.generated_at) + " by portwarden " + context.report_version);
  return facts;
}

std::string HtmlReport(const state::Snapshot& snapshot, const ReportContext& context) {
  const AuditView view = BuildAuditView(snapshot, context.generated_at);
  const std::string title = "Port audit of " + snapshot.host.hostname + ", " +
                            UtcTime(context.generated_at).substr(0, 10);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
      "<title>";
  AppendText(out, title);
  out += "</title>\n<style>";
  out += html::Stylesheet();
  out += "</style></head>\n<body>\n<header><h1>";
  AppendText(out, title);
  out += "</h1></header>\n<main>\n";
  AppendFacts(out, snapshot, context);
  html::AppendSummaryCards(out, view.summary);
  html::AppendHeading(out, "violations-heading",
                      "Violations (" + std::to_string(view.summary.violations) + ")");
  html::AppendTable(out, "violations", html::ViolationHeaders(), html::ViolationRows(view),
                    "No listener violates the exposure policy.");
  AppendBaseline(out, context.baseline);
  html::AppendHeading(out, "listeners-heading",
                      "Listeners (" + std::to_string(view.summary.listeners) + ")");
  html::AppendTable(out, "listeners",
                    {"Namespace", "Proto", "Address", "Reach", "Process", "User", "Executable",
                     "Unit", "Verdict", "First seen"},
                    OwnerRows(view, context), "No listener.");
  html::AppendHeading(out, "endpoints-heading",
                      "TLS endpoints (" + std::to_string(view.summary.endpoints) + ")");
  html::AppendTable(out, "endpoints", html::EndpointHeaders(), html::EndpointRows(view),
                    "No TLS endpoint probed.");
  AppendChains(out, view, context.generated_at);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace portwarden::exporters::report
