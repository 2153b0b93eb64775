#pragma once

#include <memory>
#include <vector>

#include "agent/config/config.h"
#include "agent/posture/posture_report.h"
#include "agent/posture/posture_stage.h"
#include "agent/probe/probe_result.h"

namespace portwarden::posture {

/// The posture stage: for every address of every target, one short handshake per protocol
/// version (min = max), each through the prober's own connect and handshake code
/// (probe::AddressProbe: netns of discovered targets, deadlines, read guard) under its own
/// deadline of the target's probe timeout; then the pure checks of posture_checks.h over the
/// newest accepted handshake's evidence. Targets run on at most
/// min(agent.probe_concurrency, kMaxPostureThreads) threads. One Run() at a time (the
/// scheduler guarantees it); Cancel() is thread-safe.
class PostureRunner final : public PostureStage {
 public:
  PostureRunner();
  ~PostureRunner() override;
  PostureRunner(const PostureRunner&) = delete;
  PostureRunner& operator=(const PostureRunner&) = delete;

  /// Assesses `targets` (HTTP checks are never run here); results in target order, one per
  /// resolved address (one for a target that did not resolve).
  PostureReport Run(const std::vector<probe::ProbeTarget>& targets,
                    const config::Config& config) override;

  /// Makes a Run() in progress on another thread return promptly. Used at shutdown.
  void Cancel() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Most threads a posture run uses: it runs rarely and must not compete with the probes.
inline constexpr int kMaxPostureThreads = 4;

}  // namespace portwarden::posture
