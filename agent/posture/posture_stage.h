#pragma once

#include <vector>

#include "agent/config/config.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

namespace portwarden::posture {

/// The posture stage, by role: assesses the targets it is handed (configured ∪ discovered)
/// once. Implementations: PostureRunner (real handshakes, posture_runner.h); fakes in the
/// engine's unit tests. Run is called by one thread at a time; Cancel() from any thread.
class PostureStage {
 public:
  virtual ~PostureStage() = default;

  /// Assesses `targets` and returns when every address is done (each handshake holds its
  /// own deadline) or the run was cancelled.
  virtual PostureReport Run(const std::vector<probe::ProbeTarget>& targets,
                            const config::Config& config) = 0;

  /// Makes a Run() in progress on another thread return promptly. Thread-safe.
  virtual void Cancel() = 0;
};

}  // namespace portwarden::posture
