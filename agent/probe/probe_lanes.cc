#include "agent/probe/probe_lanes.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "agent/probe/probe_loop.h"
#include "agent/probe/prober.h"

namespace portwarden::probe {
namespace {

/// CPUs this process may run on: more event loops than that only add context switches.
std::size_t UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) {
    return 1;
  }
  return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
}

/// Handshakes one event loop takes before a second one pays off: a loop does about a thousand
/// local handshakes per CPU second, and two loops on two (possibly SMT sibling) CPUs cost
/// ~15 % more CPU per probe than one (measured with tests/bench/probe_cycles).
constexpr std::size_t kJobsPerLoop = 1000;

std::size_t LoopsFor(std::size_t loop_jobs) {
  return std::min(UsableCpus(), (loop_jobs + kJobsPerLoop - 1) / kJobsPerLoop);
}

/// Everything a lane needs to build and finish probes.
struct Stage {
  const std::vector<ProbeTarget>& targets;
  const std::vector<AddressJob>& jobs;
  const config::Config& config;
  TlsContextCache& contexts;
  const std::atomic<bool>* cancelled;
  std::vector<ProbeResult>& results;

  ProbeDeadline DeadlineOf(const AddressJob& job) const {
    const ProbeTarget& target = targets[job.target_index];
    const auto resolve = std::chrono::duration_cast<SteadyTime::duration>(
        std::chrono::duration<double>(job.resolve_seconds));
    return {std::chrono::steady_clock::now() + TimeoutOf(target, config) - resolve, cancelled};
  }

  PhaseResult<SSL_CTX*> ContextOf(const ProbeTarget& target) const {
    const auto& e = target.endpoint;
    auto ctx = contexts.Get({e.ca_file, e.ca_path, e.cert_file, e.key_file});
    if (!ctx) {
      return std::unexpected(ctx.error());
    }
    return ctx->get();  // The cache keeps it alive until the next cycle.
  }
};

/// A lane that probes jobs[ids[cursor++]] one at a time on its thread.
void BlockingLane(const Stage& stage,
                  const std::vector<std::size_t>& ids,
                  std::atomic<std::size_t>& cursor) {
  for (std::size_t i = cursor++; i < ids.size(); i = cursor++) {
    const AddressJob& job = stage.jobs[ids[i]];
    const ProbeTarget& target = stage.targets[job.target_index];
    stage.results[ids[i]] = ProbeAddress(target, job.address, job.resolve_seconds,
                                         stage.ContextOf(target), stage.DeadlineOf(job));
  }
}

/// A lane that runs an event loop over jobs[ids[cursor++]] with `slots` in flight.
void LoopLane(const Stage& stage,
              const std::vector<std::size_t>& ids,
              std::atomic<std::size_t>& cursor,
              std::size_t slots) {
  RunProbeLoop(
      slots,
      [&]() -> LoopEntry {
        const std::size_t i = cursor++;
        if (i >= ids.size()) {
          return {};
        }
        const AddressJob& job = stage.jobs[ids[i]];
        const ProbeTarget& target = stage.targets[job.target_index];
        return {ids[i],
                std::make_unique<AddressProbe>(target, job.address, job.resolve_seconds,
                                               stage.ContextOf(target), stage.DeadlineOf(job))};
      },
      [&](std::size_t id, AddressProbe& probe) { stage.results[id] = CompleteProbe(probe); });
}

}  // namespace

Duration TimeoutOf(const ProbeTarget& target, const config::Config& config) {
  return target.endpoint.timeout.value_or(config.agent.probe_timeout);
}

LanePlan PlanLanes(std::size_t loop_jobs,
                   std::size_t blocking_jobs,
                   int concurrency,
                   std::size_t loops_wanted) {
  const auto budget = static_cast<std::size_t>(std::max(1, concurrency));
  LanePlan plan;
  if (budget == 1 || loop_jobs == 0) {
    plan.blocking = std::min(budget, loop_jobs + blocking_jobs);
    return plan;
  }
  if (blocking_jobs > 0) {
    // Share the budget in proportion to the work, keeping at least one slot for each kind.
    const std::size_t share = budget * blocking_jobs / (blocking_jobs + loop_jobs);
    plan.blocking = std::clamp<std::size_t>(share, 1, std::min(blocking_jobs, budget - 1));
  }
  plan.loop_slots = budget - plan.blocking;
  plan.loops = std::clamp<std::size_t>(loops_wanted, 1, std::min(plan.loop_slots, loop_jobs));
  return plan;
}

std::vector<ProbeResult> ProbeAll(const std::vector<ProbeTarget>& targets,
                                  const std::vector<AddressJob>& jobs,
                                  const config::Config& config,
                                  TlsContextCache& contexts,
                                  WorkerPool& pool,
                                  const std::atomic<bool>* cancelled) {
  std::vector<ProbeResult> results(jobs.size());
  std::vector<std::size_t> loop_ids;
  std::vector<std::size_t> blocking_ids;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    (targets[jobs[i].target_index].endpoint.http ? blocking_ids : loop_ids).push_back(i);
  }
  const LanePlan plan = PlanLanes(loop_ids.size(), blocking_ids.size(),
                                  config.agent.probe_concurrency, LoopsFor(loop_ids.size()));
  if (plan.loops == 0) {
    std::move(loop_ids.begin(), loop_ids.end(), std::back_inserter(blocking_ids));
  }
  const Stage stage{targets, jobs, config, contexts, cancelled, results};
  std::atomic<std::size_t> loop_cursor{0};
  std::atomic<std::size_t> blocking_cursor{0};
  const std::size_t lanes = plan.loops + plan.blocking;
  pool.Run(lanes, static_cast<int>(lanes), [&](std::size_t lane) {
    if (lane < plan.loops) {
      // Spread the slots: the first (slots % loops) loops take one more.
      const std::size_t slots =
          plan.loop_slots / plan.loops + (lane < plan.loop_slots % plan.loops ? 1 : 0);
      LoopLane(stage, loop_ids, loop_cursor, slots);
    } else {
      BlockingLane(stage, blocking_ids, blocking_cursor);
    }
  });
  return results;
}

}  // namespace portwarden::probe
