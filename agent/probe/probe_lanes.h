#pragma once

#include <atomic>
#include <cstddef>
#include <vector>

#include "agent/config/config.h"
#include "agent/probe/probe_result.h"
#include "agent/probe/prober_pool.h"
#include "agent/probe/resolver.h"
#include "agent/probe/tls_context.h"

namespace portwarden::probe {

/// One unit of work for the probe stage: one address of one target.
struct AddressJob {
  std::size_t target_index = 0;
  ResolvedAddress address;
  double resolve_seconds = 0;
};

/// The whole-probe timeout of `target`: its own, else agent.probe_timeout.
Duration TimeoutOf(const ProbeTarget& target, const config::Config& config);

/// How a cycle's probe stage uses its threads: `loops` event loops (ProbeLoop) with
/// `loop_slots` probes in flight between them, and `blocking` threads for the probes with HTTP
/// checks (libcurl's easy interface blocks). At most `probe_concurrency` probes in flight.
struct LanePlan {
  std::size_t loops = 0;
  std::size_t loop_slots = 0;
  std::size_t blocking = 0;
};

/// The plan for `loop_jobs` handshake-only probes and `blocking_jobs` probes with HTTP checks,
/// with at most `loops_wanted` event loops (the CPUs the agent may use).
LanePlan PlanLanes(std::size_t loop_jobs,
                   std::size_t blocking_jobs,
                   int concurrency,
                   std::size_t loops_wanted);

/// Stage 2 of a cycle: probes every job, each under its own deadline (counted from its
/// resolution), and returns the results in job order. Thread-safe per call; `pool` runs one
/// stage at a time.
std::vector<ProbeResult> ProbeAll(const std::vector<ProbeTarget>& targets,
                                  const std::vector<AddressJob>& jobs,
                                  const config::Config& config,
                                  TlsContextCache& contexts,
                                  WorkerPool& pool,
                                  const std::atomic<bool>* cancelled);

}  // namespace portwarden::probe
