#include "agent/policy/change_log.h"

#include <algorithm>
#include <cmath>

#include "agent/core/log.h"

namespace portwarden::policy {
namespace {

std::string ScopeList(const std::vector<Scope>& scopes) {
  std::string out;
  for (const Scope scope : scopes) {
    if (!out.empty()) {
      out += ",";
    }
    out += ScopeName(scope);
  }
  return out.empty() ? "none" : out;
}

void LogListener(std::string_view msg, const inventory::Listener& l) {
  log::Info(msg, {{"netns", l.netns},
                  {"proto", ProtocolName(l.protocol)},
                  {"address", l.address},
                  {"port", static_cast<unsigned>(l.port)},
                  {"scope", ScopeName(l.scope)},
                  {"process", l.process.comm},
                  {"pid", l.process.pid},
                  {"unit", l.process.unit}});
}

void LogViolation(const inventory::Listener& listener, const Verdict& verdict) {
  log::Warn("Exposure violation", {{"rule", verdict.rule},
                                   {"netns", listener.netns},
                                   {"proto", ProtocolName(listener.protocol)},
                                   {"address", listener.address},
                                   {"port", static_cast<unsigned>(listener.port)},
                                   {"scope", ScopeName(listener.scope)},
                                   {"allowed", ScopeList(verdict.allowed)},
                                   {"process", listener.process.comm},
                                   {"pid", listener.process.pid},
                                   {"unit", listener.process.unit}});
}

}  // namespace

// A wall clock stepping back refills nothing; the bucket never holds more than `burst`.
std::size_t ChangeLogger::Budget::Take(std::size_t wanted, double now) {
  if (last_ >= 0 && now > last_) {
    tokens_ = std::min(limits_.burst, tokens_ + (now - last_) * limits_.per_minute / 60);
  }
  last_ = std::max(last_, now);
  const auto allowed = std::min(
      {wanted, limits_.per_scan, static_cast<std::size_t>(std::floor(std::max(tokens_, 0.0)))});
  tokens_ -= static_cast<double>(allowed);
  return allowed;
}

ChangeLogger::ChangeLogger(ChangeLogLimits limits) : limits_(limits) {}

void ChangeLogger::Log(const ChangeSet& changes, double now) {
  LogListenerChanges(changes, now);
  LogViolations(changes, now);
}

void ChangeLogger::LogListenerChanges(const ChangeSet& changes, double now) {
  const std::size_t total = changes.appeared.size() + changes.disappeared.size();
  if (total == 0) {
    return;
  }
  const std::size_t lines = changes_.Take(total, now);
  const std::size_t appeared_lines = std::min(lines, changes.appeared.size());
  const std::size_t disappeared_lines = lines - appeared_lines;
  for (std::size_t i = 0; i < appeared_lines; ++i) {
    LogListener("Listener appeared", *changes.appeared[i]);
  }
  for (std::size_t i = 0; i < disappeared_lines; ++i) {
    LogListener("Listener disappeared", changes.disappeared[i]);
  }
  if (lines < total) {
    log::Info("Listener changes not logged one by one (see portwarden_listener_changes_total)",
              {{"appeared", changes.appeared.size() - appeared_lines},
               {"disappeared", changes.disappeared.size() - disappeared_lines},
               {"logged", lines}});
  }
}

void ChangeLogger::LogViolations(const ChangeSet& changes, double now) {
  const std::size_t total = changes.new_violations.size();
  if (total == 0) {
    return;
  }
  const std::size_t lines = violations_.Take(total, now);
  for (std::size_t i = 0; i < lines; ++i) {
    LogViolation(*changes.new_violations[i].first, *changes.new_violations[i].second);
  }
  if (lines < total) {
    log::Warn("Exposure violations not logged one by one (see portwarden_exposure_violation)",
              {{"new_violations", total - lines}, {"logged", lines}});
  }
}

}  // namespace portwarden::policy
