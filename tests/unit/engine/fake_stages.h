#pragma once

// Fakes (test doubles, no network, no kernel) of the AgentEngine's stages: an inventory that
// returns the report a test sets, and a prober that records what it was asked to probe. Both
// can be held at a gate, so a test controls when a run finishes.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "agent/engine/stages.h"

namespace portwarden::engine::testing {

/// A latch a fake's run waits on while it is closed (open by default).
class Gate {
 public:
  void Close() {
    const std::lock_guard lock(mutex_);
    open_ = false;
  }

  void Open() {
    {
      const std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }

  void Pass() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
};

/// A scan's report: its outcome and its listeners.
inline inventory::InventoryReport Report(bool success,
                                         std::string error = "",
                                         std::vector<inventory::Listener> listeners = {}) {
  inventory::InventoryReport report;
  report.success = success;
  report.error = std::move(error);
  report.listeners = std::move(listeners);
  return report;
}

/// An inventory that returns the report last set (thread-safe) and counts its scans.
class FakeInventory final : public InventoryStage {
 public:
  void Apply(inventory::InventorySettings /*settings*/) override {}

  inventory::InventoryReport Scan() override {
    gate.Pass();
    const std::lock_guard lock(mutex_);
    ++scans_;
    return report_;
  }

  void SetReport(inventory::InventoryReport report) {
    const std::lock_guard lock(mutex_);
    report_ = std::move(report);
  }

  int scans() const {
    const std::lock_guard lock(mutex_);
    return scans_;
  }

  Gate gate;

 private:
  mutable std::mutex mutex_;
  inventory::InventoryReport report_ = Report(true);
  int scans_ = 0;
};

/// A prober that records each cycle's targets and reports one successful result per target.
class FakeProber final : public probe::Prober {
 public:
  using probe::Prober::RunCycle;

  probe::ProbeReport RunCycle(const std::vector<probe::ProbeTarget>& targets,
                              const probe::ProbeSettings& settings,
                              const probe::CycleProgress& /*progress*/) override {
    gate.Pass();
    probe::ProbeReport report;
    for (const auto& target : targets) {
      probe::ProbeResult result;
      result.target = target.endpoint.target;
      result.source = target.source;
      result.success = true;
      report.results.push_back(std::move(result));
    }
    const std::lock_guard lock(mutex_);
    cycles_.push_back(targets);
    settings_.push_back(settings);
    return report;
  }

  void Cancel() override { gate.Open(); }

  void Interrupt() override { interrupts.fetch_add(1); }

  std::vector<std::vector<probe::ProbeTarget>> cycles() const {
    const std::lock_guard lock(mutex_);
    return cycles_;
  }

  /// The settings of each cycle, in order.
  std::vector<probe::ProbeSettings> settings() const {
    const std::lock_guard lock(mutex_);
    return settings_;
  }

  Gate gate;
  std::atomic<int> interrupts{0};

 private:
  mutable std::mutex mutex_;
  std::vector<std::vector<probe::ProbeTarget>> cycles_;
  std::vector<probe::ProbeSettings> settings_;
};

}  // namespace portwarden::engine::testing
