#pragma once

#include <memory>
#include <vector>

#include "agent/config/config.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// The configured endpoints as probe targets.
std::vector<ProbeTarget> ConfiguredTargets(const config::Config& config);

/// Runs one probe cycle over all targets with bounded concurrency; each probe has its own
/// deadline, so a hanging endpoint delays nobody else. Keeps cumulative counters for targets
/// still present and forgets the rest. One cycle at a time (the scheduler guarantees it).
class ProbeRunner {
 public:
  ProbeRunner();
  ~ProbeRunner();
  ProbeRunner(const ProbeRunner&) = delete;
  ProbeRunner& operator=(const ProbeRunner&) = delete;

  ProbeReport RunCycle(const std::vector<ProbeTarget>& targets, const config::Config& config);

  /// Makes a RunCycle in progress (on another thread) return promptly, abandoning probes
  /// in flight. Used at shutdown. Thread-safe.
  void Cancel();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::probe
