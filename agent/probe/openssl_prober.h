#pragma once

#include <memory>
#include <vector>

#include "agent/core/clock.h"
#include "agent/probe/probe_result.h"
#include "agent/probe/prober.h"

namespace portwarden::probe {

struct Pacing;

/// The Prober that does real TLS handshakes with OpenSSL (and HTTP checks through libcurl).
/// Runs one probe cycle over all targets with bounded concurrency; each probe has its own
/// deadline, so a hanging endpoint delays nobody else. Keeps cumulative counters for targets
/// still present and forgets the rest. One cycle at a time (the scheduler guarantees it).
/// With ProbeSettings::spread, the cycle starts its targets evenly over that window
/// (probe_spread.h), waiting on `clock`.
class OpenSslProber final : public Prober {
 public:
  /// Waits (a spread cycle's) on the real clock.
  OpenSslProber();
  /// `clock` must outlive the prober.
  explicit OpenSslProber(const Clock& clock);
  ~OpenSslProber() override;
  OpenSslProber(const OpenSslProber&) = delete;
  OpenSslProber& operator=(const OpenSslProber&) = delete;

  using Prober::RunCycle;
  ProbeReport RunCycle(const std::vector<ProbeTarget>& targets,
                       const ProbeSettings& settings,
                       const CycleProgress& progress) override;

  /// Makes a RunCycle in progress (on another thread) return promptly, abandoning probes
  /// in flight. Used at shutdown. Thread-safe.
  void Cancel() override;

  void Interrupt() override;

 private:
  struct State;
  std::unique_ptr<Pacing> PacingFor(const std::vector<ProbeTarget>& targets,
                                    const ProbeSettings& settings,
                                    const CycleProgress& progress);
  std::vector<ProbeResult> ProbeReporting(const std::vector<ProbeTarget>& targets,
                                          const ProbeSettings& settings,
                                          Pacing& pacing,
                                          const CycleProgress& progress);
  void Account(const std::vector<ProbeResult>& results);

  std::unique_ptr<State> state_;
};

}  // namespace portwarden::probe
