#include "exporters/report/status_page.h"

#include "agent/core/duration.h"
#include "agent/core/html_escape.h"
#include "agent/core/version_info.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/html_parts.h"

namespace portwarden::exporters::report {
namespace {

using html::AppendText;
using html::Cell;

void AppendHead(std::string& out, const StatusPageInput& input) {
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>";
  AppendText(out, "portwarden — " + input.snapshot->host.hostname);
  out += "</title>\n<style>";
  out += html::Stylesheet();
  out += "</style></head>\n<body>\n";
}

void AppendHeader(std::string& out, const StatusPageInput& input) {
  const state::Snapshot& snapshot = *input.snapshot;
  out += "<header><h1>portwarden on ";
  AppendText(out, snapshot.host.hostname.empty() ? "this host" : snapshot.host.hostname);
  out += "</h1>\n<p class=\"meta\">Version ";
  AppendText(out, build::kVersion);
  out += " (revision ";
  AppendText(out, build::kRevision);
  out += ") · started ";
  AppendText(out, UtcTime(snapshot.start_timestamp));
  out += " · page rendered ";
  AppendText(out, UtcTime(input.now));
  out += "</p>\n<nav><a href=\"";
  AppendHtmlEscaped(out, input.telemetry_path);  // an attribute: escaped, not made visible
  out +=
      "\">Metrics</a><a href=\"/api/state\">State (JSON)</a>"
      "<a href=\"/api/state?pretty\">State (indented)</a>"
      "<a href=\"/-/healthy\">Health</a><a href=\"/-/ready\">Readiness</a></nav></header>\n";
}

void AppendCollectors(std::string& out, const state::Snapshot& snapshot) {
  std::vector<std::vector<Cell>> rows;
  for (const auto& collector : snapshot.collectors) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", collector.duration_seconds);
    rows.push_back({{collector.name},
                    {collector.success ? "ok" : "failed", collector.success ? "ok" : "bad"},
                    {seconds, "num"},
                    {UtcTime(collector.timestamp)},
                    {collector.error.empty() ? "-" : collector.error}});
  }
  html::AppendHeading(out, "collectors-heading", "Collectors");
  html::AppendTable(out, "collectors", {"Collector", "Last run", "Seconds", "Finished", "Error"},
                    rows, "No collection has finished yet.");
}

std::string PortsText(const std::vector<config::PortRange>& ports) {
  std::string out;
  for (const auto& range : ports) {
    out += out.empty() ? "" : ", ";
    out += std::to_string(range.first);
    if (range.last != range.first) {
      out += "-" + std::to_string(range.last);
    }
  }
  return out.empty() ? "any" : out;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

// Every criterion besides ports, as "process nginx; unit x.service".
std::string Criteria(const config::ExposureRule& rule) {
  std::string out;
  auto add = [&out](const char* what, const std::string& value) {
    if (!value.empty()) {
      out += (out.empty() ? "" : "; ") + std::string(what) + " " + value;
    }
  };
  add("proto", rule.protocol ? std::string(ProtocolName(*rule.protocol)) : "");
  add("process", Joined(rule.processes));
  add("exe", Joined(rule.executables));
  add("unit", Joined(rule.units));
  add("netns", Joined(rule.namespaces));
  std::vector<std::string> cidrs;
  for (const auto& cidr : rule.addresses) {
    cidrs.push_back(cidr.text);
  }
  add("address", Joined(cidrs));
  add("with listener on",
      rule.requires_listener_on.empty() ? "" : PortsText(rule.requires_listener_on));
  return out.empty() ? "-" : out;
}

void AppendConfig(std::string& out, const StatusPageInput& input) {
  const config::Config& config = *input.config;
  const state::Snapshot& snapshot = *input.snapshot;
  html::AppendHeading(out, "config-heading", "Configuration in force");
  out += "<ul id=\"config\"><li>Source: ";
  AppendText(out, config.source.empty() ? "built-in defaults" : config.source);
  if (!snapshot.reload.last_successful) {
    out += " <span class=\"bad\">(last reload failed: ";
    AppendText(out, snapshot.reload.last_error);
    out += ")</span>";
  }
  out += "</li><li>Scan every ";
  AppendText(out, FormatDuration(config.agent.scan_interval));
  out += ", probe every ";
  AppendText(out, FormatDuration(config.agent.probe_interval));
  out += " (timeout ";
  AppendText(out, FormatDuration(config.agent.probe_timeout));
  out += ")</li><li>Discovery: ";
  std::vector<config::PortRange> ports;
  for (const auto port : config.discovery.tls_ports) {
    ports.push_back({port, port});
  }
  AppendText(out, config.discovery.enabled ? "TLS ports " + PortsText(ports) : "off");
  out += "</li><li>Configured endpoints: " + std::to_string(config.endpoints.size());
  out += "</li><li>Listeners no rule matches: ";
  out += input.default_action == config::DefaultAction::kReport
             ? "a violation when public (default_action = \"report\")"
             : "allowed (default_action = \"allow\")";
  out += "</li></ul>\n";
  std::vector<std::vector<Cell>> rows;
  for (const auto& rule : input.rules) {
    rows.push_back({{rule.name},
                    {input.builtin_rules.contains(rule.name) ? "built-in" : "config"},
                    {PortsText(rule.ports)},
                    {Criteria(rule)},
                    {ScopeList(rule.allow).empty() ? "none" : ScopeList(rule.allow)}});
  }
  html::AppendTable(out, "rules", {"Rule", "Origin", "Ports", "Also matches on", "Allowed reach"},
                    rows, "No exposure rules are in force.");
}

}  // namespace

std::string RenderStatusPage(const StatusPageInput& input) {
  const state::Snapshot& snapshot = *input.snapshot;
  const AuditView view = BuildAuditView(snapshot, input.now);
  std::string out;
  out.reserve(8192 + view.listeners.size() * 400 + view.endpoints.size() * 400);
  AppendHead(out, input);
  AppendHeader(out, input);
  out += "<main>\n";
  html::AppendSummaryCards(out, view.summary);
  html::AppendHeading(out, "violations-heading",
                      "Violations (" + std::to_string(view.summary.violations) + ")");
  html::AppendTable(out, "violations", html::ViolationHeaders(), html::ViolationRows(view),
                    "No listener violates the exposure policy.");
  html::AppendHeading(
      out, "listeners-heading",
      "Listeners (" + std::to_string(view.summary.listeners) +
          (view.baseline ? ", " + std::to_string(view.unapproved) + " not in the baseline)" : ")"));
  if (!snapshot.inventory->success && !snapshot.inventory->error.empty()) {
    out += "<p class=\"bad\">Last scan failed: ";
    AppendText(out, snapshot.inventory->error);
    out += "</p>\n";
  }
  html::AppendTable(out, "listeners", html::ListenerHeaders(view),
                    html::ListenerRows(view, input.max_listener_rows), "No listener seen yet.");
  if (view.listeners.size() > input.max_listener_rows) {
    out += "<p class=\"meta\">" + std::to_string(view.listeners.size() - input.max_listener_rows) +
           " more listeners are in <a href=\"/api/state\">/api/state</a>.</p>\n";
  }
  html::AppendHeading(out, "endpoints-heading",
                      "TLS endpoints (" + std::to_string(view.summary.endpoints) + ")");
  html::AppendTable(out, "endpoints", html::EndpointHeaders(), html::EndpointRows(view),
                    "No TLS endpoint probed yet.");
  AppendCollectors(out, snapshot);
  AppendConfig(out, input);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace portwarden::exporters::report
