#pragma once

#include <memory>
#include <vector>

#include "agent/probe/probe_result.h"
#include "agent/probe/prober.h"

namespace portwarden::probe {

/// The Prober that does real TLS handshakes with OpenSSL (and HTTP checks through libcurl).
/// Runs one probe cycle over all targets with bounded concurrency; each probe has its own
/// deadline, so a hanging endpoint delays nobody else. Keeps cumulative counters for targets
/// still present and forgets the rest. One cycle at a time (the scheduler guarantees it).
class OpenSslProber final : public Prober {
 public:
  OpenSslProber();
  ~OpenSslProber() override;
  OpenSslProber(const OpenSslProber&) = delete;
  OpenSslProber& operator=(const OpenSslProber&) = delete;

  ProbeReport RunCycle(const std::vector<ProbeTarget>& targets,
                       const ProbeSettings& settings) override;

  /// Makes a RunCycle in progress (on another thread) return promptly, abandoning probes
  /// in flight. Used at shutdown. Thread-safe.
  void Cancel() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace portwarden::probe
