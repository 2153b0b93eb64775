#pragma once

#include <atomic>
#include <cstddef>
#include <vector>

#include "agent/probe/probe_result.h"
#include "agent/probe/probe_settings.h"
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

/// One cycle's resolve and probe stages, pipelined: IP literals start their handshake at once,
/// names are resolved on workers and each address starts as soon as its name resolved, and a
/// completed handshake with HTTP checks moves to a worker while the loop goes on. Each probe
/// has one deadline from its resolution's start. Returns the results in target order (then
/// address order; a target that did not resolve has one). `pool` runs one stage at a time.
std::vector<ProbeResult> ProbeTargets(const std::vector<ProbeTarget>& targets,
                                      const ProbeSettings& settings,
                                      TlsContextCache& contexts,
                                      WorkerPool& pool,
                                      const std::atomic<bool>* cancelled);

}  // namespace portwarden::probe
