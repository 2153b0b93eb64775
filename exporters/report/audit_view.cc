#include "exporters/report/audit_view.h"

#include <ctime>

#include "agent/core/host_port.h"

namespace portwarden::exporters::report {
namespace {

constexpr double kDay = 86400.0;

ExpiryBucket BucketOf(double days) {
  if (days < 0) {
    return ExpiryBucket::kExpired;
  }
  if (days < 7) {
    return ExpiryBucket::kUnder7;
  }
  return days < 30 ? ExpiryBucket::kUnder30 : ExpiryBucket::kOver30;
}

ListenerRow MakeListenerRow(const state::Snapshot& snapshot, std::size_t i) {
  const auto& listener = snapshot.inventory->listeners[i];
  ListenerRow row;
  row.listener = &listener;
  row.endpoint = ListenerEndpoint(listener);
  const auto& policy = *snapshot.policy;
  if (i < policy.verdicts.size()) {
    const auto& verdict = policy.verdicts[i];
    row.has_verdict = true;
    row.rule = verdict.rule;
    row.violation = verdict.violation;
    row.allowed = ScopeList(verdict.allowed);
    row.verdict = (verdict.violation ? "VIOLATION (" : "ok (") + verdict.rule + ")";
    row.basis = verdict.observed_violation ? "observed" : verdict.basis;
  }
  const auto& firewall = *snapshot.firewall;
  if (firewall.enabled && i < firewall.listeners.size()) {
    row.firewall_public = firewall::VerdictName(firewall.listeners[i].from_public);
    row.firewall_private = firewall::VerdictName(firewall.listeners[i].from_private);
    row.published = firewall.listeners[i].published;
  }
  row.unapproved = i < policy.unapproved.size() && policy.unapproved[i];
  if (i < policy.first_seen_timestamps.size()) {
    row.first_seen = policy.first_seen_timestamps[i];
  }
  return row;
}

// The verdict a person reads: a failed probe says why, a probe that completed on a chain that
// did not verify says what verification found.
EndpointRow MakeEndpointRow(const probe::ProbeResult& result, double now) {
  EndpointRow row;
  row.result = &result;
  if (const auto earliest = probe::EarliestNotAfter(result.chain)) {
    row.days_left = (*earliest - now) / kDay;
    row.bucket = BucketOf(*row.days_left);
  }
  if (!result.success) {
    row.verdict = "failed: " + result.failure_reason;
    row.error = result.failure_detail;
    if (result.failure_reason == "verify" ||
        (row.error.empty() && !result.verify_detail.empty() && !result.verified)) {
      row.error = result.verify_result + ": " + result.verify_detail;
    }
  } else if (!result.verified) {
    row.verdict = "unverified: " + result.verify_result;
    row.error = result.verify_detail;
  } else if (row.bucket == ExpiryBucket::kExpired) {
    row.verdict = "expired";
  } else {
    row.verdict = "ok";
    row.healthy = true;
  }
  return row;
}

}  // namespace

const char* ExpiryBucketName(ExpiryBucket bucket) {
  switch (bucket) {
    case ExpiryBucket::kExpired:
      return "expired";
    case ExpiryBucket::kUnder7:
      return "< 7 days";
    case ExpiryBucket::kUnder30:
      return "7-30 days";
    case ExpiryBucket::kOver30:
      return "> 30 days";
  }
  return "?";
}

std::string ListenerEndpoint(const inventory::Listener& listener) {
  std::string address;
  if (listener.family == AddressFamily::kIpv6 && listener.address == "::" &&
      listener.v6only == false) {
    address = "*";
  } else if (listener.family == AddressFamily::kIpv6) {
    address = BracketHost(listener.address);
  } else {
    address = listener.address;
  }
  if (!listener.interface.empty()) {
    address += "%" + listener.interface;
  }
  return address + ":" + std::to_string(listener.port);
}

std::string ProcessText(const inventory::ProcessInfo& process) {
  if (process.pid == 0 && process.comm.empty()) {
    return "-";
  }
  std::string out = process.comm.empty() ? "?" : process.comm;
  if (process.pid != 0) {
    out += " (pid " + std::to_string(process.pid) + ")";
  }
  if (process.holder_count > 1) {
    out += " +" + std::to_string(process.holder_count - 1) + " holders";
  }
  return out;
}

std::string UtcTime(double unix_seconds) {
  return unix_seconds <= 0 ? "-" : UtcTimestamp(unix_seconds);
}

std::string UtcTimestamp(double unix_seconds) {
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%SZ", &parts);
  return buffer;
}

std::string ScopeList(const std::vector<Scope>& scopes) {
  std::string out;
  for (const Scope scope : scopes) {
    out += (out.empty() ? "" : ", ") + std::string(ScopeName(scope));
  }
  return out;
}

AuditView BuildAuditView(const state::Snapshot& snapshot, double now) {
  AuditView view;
  Summary& summary = view.summary;
  const auto& listeners = snapshot.inventory->listeners;
  view.listeners.reserve(listeners.size());
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    view.listeners.push_back(MakeListenerRow(snapshot, i));
    ++summary.by_scope[static_cast<std::size_t>(listeners[i].scope)];
    ++(listeners[i].protocol == Protocol::kTcp ? summary.tcp : summary.udp);
    summary.violations += view.listeners.back().violation ? 1 : 0;
  }
  summary.listeners = static_cast<int>(listeners.size());
  view.firewall = snapshot.firewall->enabled;
  view.baseline = !snapshot.policy->unapproved.empty() || snapshot.policy->baseline.loaded;
  for (const ListenerRow& row : view.listeners) {
    view.unapproved += row.unapproved ? 1 : 0;
  }
  for (const auto& result : snapshot.probes->results) {
    view.endpoints.push_back(MakeEndpointRow(result, now));
    const EndpointRow& row = view.endpoints.back();
    summary.probe_failures += result.success ? 0 : 1;
    if (row.bucket) {
      ++summary.by_expiry[static_cast<std::size_t>(*row.bucket)];
    }
  }
  summary.endpoints = static_cast<int>(view.endpoints.size());
  return view;
}

}  // namespace portwarden::exporters::report
