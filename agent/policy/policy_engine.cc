#include <sys/stat.h>

#include <chrono>

#include "agent/core/log.h"
#include "agent/policy/baseline.h"
#include "agent/policy/change_log.h"
#include "agent/policy/change_tracker.h"
#include "agent/policy/default_rules.h"
#include "agent/policy/evaluate.h"
#include "agent/policy/policy.h"

namespace portwarden::policy {
namespace {

// What a stat() says of the baseline file; a change means it is read again.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = -1;
  std::int64_t mtime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> Stamp(const std::string& path) {
  struct stat info {};

  if (::stat(path.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return FileStamp{
      info.st_dev, info.st_ino, info.st_size,
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

}  // namespace

// The baseline in force: re-read when the file's stat() changes; a file that cannot be read
// or parsed keeps the last good baseline (and says why in BaselineStatus and one log line).
struct BaselineCache {
  std::string path;
  std::optional<FileStamp> stamp;
  std::optional<config::Baseline> good;
  BaselineStatus status;

  void Refresh(const std::string& configured, double now);
};

void BaselineCache::Refresh(const std::string& configured, double now) {
  if (configured != path) {
    *this = BaselineCache{};
    path = configured;
    status.file = configured;
  }
  if (path.empty()) {
    return;
  }
  const auto current = Stamp(path);
  if (current && stamp && *current == *stamp) {
    return;
  }
  auto loaded = config::LoadBaselineFile(path);
  if (!loaded) {
    if (status.last_load_ok || status.error != loaded.error().message) {
      log::Error("Cannot read the baseline; keeping the last good one",
                 {{"file", path}, {"err", loaded.error().message}});
    }
    status.last_load_ok = false;
    status.error = loaded.error().message;
    stamp = current;  // retried when the file changes again
    return;
  }
  log::Info("Loaded the listener baseline",
            {{"file", path}, {"entries", static_cast<int>(loaded->entries.size())}});
  stamp = current;
  status.entries = loaded->entries.size();
  status.last_load_ok = true;
  status.error.clear();
  status.loaded = true;
  status.load_timestamp = now;
  good = std::move(*loaded);
}

struct PolicyEngine::State {
  ChangeTracker tracker;
  ChangeLogger logger;
  BaselineCache baseline;
};

PolicyEngine::PolicyEngine() : state_(std::make_unique<State>()) {}

PolicyEngine::~PolicyEngine() = default;

std::vector<inventory::LocalPortRange> WatchedPorts(const config::Config& config) {
  std::vector<inventory::LocalPortRange> ports;
  for (const std::uint16_t port : config.discovery.tls_ports) {
    ports.push_back({port, port});
  }
  for (const auto& rule : BuildRuleSet(PolicySettingsFrom(config)).rules) {
    if (rule.protocol && *rule.protocol != Protocol::kTcp) {
      continue;
    }
    for (const auto& range : rule.ports) {
      ports.push_back({range.first, range.last});
    }
  }
  return ports;
}

PolicyReport EvaluateOnce(const inventory::InventoryReport& inventory,
                          const PolicySettings& settings,
                          const firewall::FirewallReport* firewall) {
  const RuleSet rules = BuildRuleSet(settings);
  PolicyReport report;
  std::span<const firewall::ListenerFirewall> verdicts;
  if (firewall != nullptr && firewall->listeners.size() == inventory.listeners.size()) {
    verdicts = firewall->listeners;
  }
  report.verdicts = EvaluateAll(rules, inventory.listeners, verdicts, settings.exposure.judge);
  for (const auto& rule : rules.rules) {
    report.rule_names.push_back(rule.name);
  }
  report.rule_names.emplace_back("default");
  return report;
}

// Rules are rebuilt from the config on every call: a reload takes effect at the next scan,
// and building a few dozen rules costs nothing next to the scan itself.
PolicyReport PolicyEngine::Evaluate(const inventory::InventoryReport& inventory,
                                    const PolicySettings& settings,
                                    std::chrono::system_clock::time_point now,
                                    const firewall::FirewallReport* firewall) {
  const double now_seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  PolicyReport report = EvaluateOnce(inventory, settings, firewall);
  if (inventory.success) {
    const ChangeSet changes = state_->tracker.Update(inventory.listeners, report.verdicts,
                                                     now_seconds, report.first_seen_timestamps);
    state_->logger.Log(changes, now_seconds);
  } else {
    // A failed scan says nothing about the host: keep what we know, count no change.
    report.first_seen_timestamps = state_->tracker.FirstSeen(inventory.listeners, now_seconds);
  }
  report.appeared_total = state_->tracker.appeared_total();
  report.disappeared_total = state_->tracker.disappeared_total();
  auto& baseline = state_->baseline;
  baseline.Refresh(settings.baseline, now_seconds);
  report.baseline = baseline.status;
  if (baseline.good) {
    report.unapproved = Unapproved(*baseline.good, inventory.listeners);
  }
  return report;
}

}  // namespace portwarden::policy
