#pragma once

#include <vector>

#include "agent/probe/probe_result.h"
#include "agent/probe/probe_settings.h"

namespace portwarden::probe {

/// The probe stage, by role: runs one cycle over the targets it is handed (configured ∪
/// discovered) and reports each result with its cumulative counters. Implementations:
/// OpenSslProber (real TLS handshakes, openssl_prober.h); tests/unit/engine/fake_prober.h
/// (canned results, no network). RunCycle is called by one thread at a time; Cancel() from
/// any thread.
class Prober {
 public:
  virtual ~Prober() = default;

  /// Probes `targets` once under `settings` and returns when every probe is over (each holds
  /// its own deadline) or the cycle was cancelled.
  virtual ProbeReport RunCycle(const std::vector<ProbeTarget>& targets,
                               const ProbeSettings& settings) = 0;

  /// Makes a RunCycle in progress (on another thread) return promptly, abandoning probes in
  /// flight. Used at shutdown. Thread-safe.
  virtual void Cancel() = 0;
};

}  // namespace portwarden::probe
