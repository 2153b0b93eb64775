#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "agent/probe/probe_result.h"
#include "agent/probe/probe_settings.h"

namespace portwarden::probe {

/// What a cycle may publish before it is over (a spread cycle, agent.probe_spread).
struct CycleProgress {
  /// The report published last: its results stand in for targets not probed yet this cycle.
  std::shared_ptr<const ProbeReport> previous;
  /// Receives the report so far, at most every max(1 s, spread / 16) while the cycle still
  /// has targets to start (on one of the cycle's threads); empty = no progress reports.
  std::function<void(std::shared_ptr<const ProbeReport> so_far)> publish;
  /// True once the config this cycle was started with is no longer current (a reload landed
  /// between reading it and the start of the window): the cycle then starts everything at
  /// once, as an Interrupt() would have made it. Empty = never.
  std::function<bool()> superseded;
};

/// The probe stage, by role: runs one cycle over the targets it is handed (configured ∪
/// discovered) and reports each result with its cumulative counters. Implementations:
/// OpenSslProber (real TLS handshakes, openssl_prober.h); tests/unit/engine/fake_prober.h
/// (canned results, no network). RunCycle is called by one thread at a time; Cancel() from
/// any thread.
class Prober {
 public:
  virtual ~Prober() = default;

  /// Probes `targets` once under `settings` and returns when every probe is over (each holds
  /// its own deadline) or the cycle was cancelled. A spread cycle (settings.spread) hands
  /// `progress` the report so far now and then, so results are not held back for the window.
  virtual ProbeReport RunCycle(const std::vector<ProbeTarget>& targets,
                               const ProbeSettings& settings,
                               const CycleProgress& progress) = 0;

  /// RunCycle without progress reports.
  ProbeReport RunCycle(const std::vector<ProbeTarget>& targets, const ProbeSettings& settings) {
    return RunCycle(targets, settings, {});
  }

  /// Makes a RunCycle in progress (on another thread) return promptly, abandoning probes in
  /// flight. Used at shutdown. Thread-safe.
  virtual void Cancel() = 0;

  /// Ends the spread (agent.probe_spread) of a RunCycle in progress: the targets it has not
  /// started yet start at once, and it returns when the probes in flight are over. Used on a
  /// reload, so the new config does not wait for the window. Thread-safe.
  virtual void Interrupt() = 0;
};

}  // namespace portwarden::probe
