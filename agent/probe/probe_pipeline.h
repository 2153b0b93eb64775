#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "agent/probe/probe_result.h"
#include "agent/probe/probe_settings.h"
#include "agent/probe/probe_spread.h"
#include "agent/probe/tls_context.h"
#include "agent/probe/worker_pool.h"

namespace portwarden::probe {

/// Most blocking workers a cycle starts (each resolution of a name and each target's HTTP
/// checks blocks one while it runs).
inline constexpr std::size_t kMaxWorkers = 256;

/// How a cycle uses its threads: `loops` event loops (ProbeLoop) sharing `loop_slots`
/// handshakes in flight, and `workers` blocking threads for name resolutions and HTTP checks
/// (libcurl's easy interface blocks). However the work moves between them, at most
/// `probe_concurrency` probes are in flight (StageQueue).
struct LanePlan {
  std::size_t loops = 0;
  std::size_t loop_slots = 0;
  std::size_t workers = 0;
};

/// The plan for `targets` targets of which `names` need a resolver and `http` have HTTP
/// checks, with at most `loops_wanted` event loops (the CPUs the agent may use).
LanePlan PlanLanes(std::size_t targets,
                   std::size_t names,
                   std::size_t http,
                   int concurrency,
                   std::size_t loops_wanted);

/// The results of one target of a cycle (one per address), by its index in the cycle's list.
struct TargetResults {
  std::size_t target_index = 0;
  std::vector<ProbeResult> results;
};

/// Receives targets as they finish (Pacing::progress).
using TargetsFinished = std::function<void(std::vector<TargetResults> finished)>;

/// How a spread cycle starts its targets: target i when `pacer` reaches `start + offsets[i]`
/// (SpreadOffsets). Once the pacer is released, the targets left start at once. With
/// `progress`, the targets finished so far are handed to it every `progress_period` while
/// targets are still to start (on the lane that starts them), and the rest once all are over.
struct Pacing {
  std::vector<Duration> offsets;
  Clock::SteadyTime start;
  SpreadPacer* pacer = nullptr;
  TargetsFinished progress;
  Duration progress_period{std::chrono::seconds(1)};
};

/// One cycle's resolve and probe stages, pipelined: IP literals start their handshake at once,
/// names are resolved on workers and each address starts as soon as its name resolved, and a
/// completed handshake with HTTP checks moves to a worker while the loop goes on. Each probe
/// has one deadline from its resolution's start. Returns the results in target order (then
/// address order; a target that did not resolve has one). `pool` runs one stage at a time.
/// With `pacing`, one more lane starts each target at its time instead of all at the start;
/// with `pacing->progress` too, every result goes through it and the return value is empty.
std::vector<ProbeResult> ProbeTargets(const std::vector<ProbeTarget>& targets,
                                      const ProbeSettings& settings,
                                      TlsContextCache& contexts,
                                      WorkerPool& pool,
                                      const std::atomic<bool>* cancelled,
                                      const Pacing* pacing = nullptr);

}  // namespace portwarden::probe
