#include "agent/probe/probe_pipeline.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <numeric>

#include "agent/probe/address_resolution.h"
#include "agent/probe/probe_completion.h"
#include "agent/probe/probe_loop.h"
#include "agent/probe/stage_queue.h"

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

/// One target's addresses and what its resolution left of the probe timeout (written once,
/// by whoever resolves it, before its jobs are queued) and results (one per address, each
/// written by the lane that finishes it).
struct TargetState {
  std::vector<ResolvedAddress> addresses;
  SteadyTime::duration budget{};  ///< The timeout less the resolution's exact duration.
  std::vector<ProbeResult> results;
};

/// The shared state of one ProbeTargets() call and what each kind of lane does with it.
class Stage {
 public:
  Stage(const std::vector<ProbeTarget>& targets,
        const ProbeSettings& settings,
        TlsContextCache& contexts,
        const std::atomic<bool>* cancelled,
        bool track_finished)
      : targets_(targets),
        settings_(settings),
        contexts_(contexts),
        cancelled_(cancelled),
        states_(targets.size()),
        queue_(static_cast<std::size_t>(std::max(1, settings.concurrency)), targets.size()),
        track_finished_(track_finished),
        addresses_left_(track_finished ? targets.size() : 0) {}

  /// IP literals are converted here and queued at once; names go to the workers.
  void Seed() {
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      SeedTarget(i, false);
    }
  }

  /// Seed() spread over time: each target when the pacer reaches its offset (lanes run).
  void FeedLane(const Pacing& pacing) {
    std::vector<std::size_t> order(targets_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return pacing.offsets[a] < pacing.offsets[b];
    });
    bool released = false;
    Clock::SteadyTime reported = pacing.start;
    for (const std::size_t i : order) {
      released = released || !WaitReporting(pacing, pacing.start + pacing.offsets[i], reported);
      SeedTarget(i, true);
    }
  }

  /// The results of the targets finished since the last call, moved out (Results() then
  /// has none of theirs).
  std::vector<TargetResults> TakeFinished() {
    std::vector<std::size_t> finished;
    {
      const std::lock_guard lock(finished_mutex_);
      finished.swap(finished_);
    }
    std::vector<TargetResults> out;
    out.reserve(finished.size());
    for (const std::size_t i : finished) {
      out.push_back({i, std::move(states_[i].results)});
      states_[i].results.clear();
    }
    return out;
  }

  void LoopLane(std::size_t slots) {
    RunProbeLoop(
        slots, [&] { return Next(); },
        [&](std::size_t id, std::unique_ptr<AddressProbe> probe) { Done(id, std::move(probe)); },
        queue_.wake_fd());
  }

  void WorkerLane() {
    while (auto task = queue_.WaitTask()) {
      if (!task->probe) {
        ResolveTarget(task->target_index, true);
        continue;
      }
      Complete(task->job_id, *task->probe);
    }
  }

  std::vector<ProbeResult> Results() {
    std::vector<ProbeResult> out;
    for (auto& state : states_) {
      std::move(state.results.begin(), state.results.end(), std::back_inserter(out));
    }
    return out;
  }

 private:
  /// Resolves target `i` (blocking for a name) and queues its addresses, or records why not.
  void ResolveTarget(std::size_t i, bool wake) {
    const auto& endpoint = targets_[i].endpoint;
    const SteadyTime start = std::chrono::steady_clock::now();
    const ProbeDeadline deadline{start + TimeoutOf(targets_[i], settings_), cancelled_};
    auto addresses = Resolve(endpoint.host, endpoint.port, endpoint.ip_family,
                             std::max(1, endpoint.max_addresses), deadline);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    TargetState& state = states_[i];
    if (!addresses) {
      state.results.push_back(ResolveFailure(targets_[i], addresses.error(), seconds));
      MarkFinished(i, false);
      queue_.Resolved(0);
      return;
    }
    state.addresses = std::move(*addresses);
    state.budget = deadline.at - start - elapsed;
    state.results.resize(state.addresses.size());
    if (track_finished_) {
      const std::lock_guard lock(finished_mutex_);
      addresses_left_[i] = state.addresses.size();
    }
    queue_.Resolved(state.addresses.size());
    for (std::size_t a = 0; a < state.addresses.size(); ++a) {
      queue_.PushJob({i, a, seconds}, wake);
    }
  }

  /// Waits for `until`, handing finished targets to the progress hook every period on the
  /// way; false when the pacer was released.
  bool WaitReporting(const Pacing& pacing, Clock::SteadyTime until, Clock::SteadyTime& reported) {
    while (pacing.progress && until > reported + pacing.progress_period) {
      reported += pacing.progress_period;
      if (!pacing.pacer->WaitUntil(reported)) {
        return false;
      }
      if (auto finished = TakeFinished(); !finished.empty()) {
        pacing.progress(std::move(finished));
      }
    }
    return pacing.pacer->WaitUntil(until);
  }

  /// Target `i` has all its results (its last address finished, or it did not resolve).
  void MarkFinished(std::size_t i, bool last_address) {
    if (!track_finished_) {
      return;
    }
    const std::lock_guard lock(finished_mutex_);
    if (!last_address || --addresses_left_[i] == 0) {
      finished_.push_back(i);
    }
  }

  void SeedTarget(std::size_t i, bool wake) {
    if (IsIpLiteral(targets_[i].endpoint.host)) {
      ResolveTarget(i, wake);
    } else {
      queue_.PushTask({i, 0, nullptr});
    }
  }

  LoopEntry Next() {
    std::size_t id = 0;
    AddressJob job;
    switch (queue_.TakeJob(id, job)) {
      case StageQueue::Take::kDone:
        return {};
      case StageQueue::Take::kLater:
        return {0, nullptr, true};
      case StageQueue::Take::kJob:
        break;
    }
    const ProbeTarget& target = targets_[job.target_index];
    const TargetState& state = states_[job.target_index];
    // The probe's one deadline, made as its connect starts (time spent waiting for a slot is
    // not the endpoint's) and carried through connect, handshake and HTTP checks.
    const ProbeDeadline deadline{std::chrono::steady_clock::now() + state.budget, cancelled_};
    return {id, std::make_unique<AddressProbe>(target, state.addresses[job.address_index],
                                               job.resolve_seconds, ContextOf(target), deadline)};
  }

  /// A handshake is over: HTTP checks go to a worker, anything else is final now.
  void Done(std::size_t id, std::unique_ptr<AddressProbe> probe) {
    if (probe->HandshakeCompleted() && probe->target().endpoint.http) {
      queue_.PushTask({0, id, std::move(probe)});
      return;
    }
    Complete(id, *probe);
  }

  /// Runs what is left of job `id` (its HTTP checks, if any) and stores its result.
  void Complete(std::size_t id, AddressProbe& probe) {
    const AddressJob job = queue_.Job(id);
    states_[job.target_index].results[job.address_index] = CompleteProbe(probe);
    MarkFinished(job.target_index, true);
    queue_.Finished(true);
  }

  PhaseResult<SSL_CTX*> ContextOf(const ProbeTarget& target) const {
    const auto& e = target.endpoint;
    auto ctx = contexts_.Get({e.ca_file, e.ca_path, e.cert_file, e.key_file});
    if (!ctx) {
      return std::unexpected(ctx.error());
    }
    return ctx->get();  // The cache keeps it alive until the next cycle.
  }

  const std::vector<ProbeTarget>& targets_;
  const ProbeSettings& settings_;
  TlsContextCache& contexts_;
  const std::atomic<bool>* cancelled_;
  std::vector<TargetState> states_;
  StageQueue queue_;
  const bool track_finished_;  // a progress hook wants targets as they finish
  std::mutex finished_mutex_;
  std::vector<std::size_t> addresses_left_;  // per target, under finished_mutex_
  std::vector<std::size_t> finished_;        // targets with all their results, not yet taken
};

}  // namespace

LanePlan PlanLanes(std::size_t targets,
                   std::size_t names,
                   std::size_t http,
                   int concurrency,
                   std::size_t loops_wanted) {
  const auto budget = static_cast<std::size_t>(std::max(1, concurrency));
  LanePlan plan;
  if (targets == 0) {
    return plan;
  }
  plan.loop_slots = budget;
  plan.loops = std::clamp<std::size_t>(loops_wanted, 1, std::min(budget, targets));
  plan.workers = std::min({budget, names + http, kMaxWorkers});
  return plan;
}

std::vector<ProbeResult> ProbeTargets(const std::vector<ProbeTarget>& targets,
                                      const ProbeSettings& settings,
                                      TlsContextCache& contexts,
                                      WorkerPool& pool,
                                      const std::atomic<bool>* cancelled,
                                      const Pacing* pacing) {
  const auto names = static_cast<std::size_t>(std::count_if(
      targets.begin(), targets.end(), [](const auto& t) { return !IsIpLiteral(t.endpoint.host); }));
  const auto http = static_cast<std::size_t>(
      std::count_if(targets.begin(), targets.end(), [](const auto& t) { return t.endpoint.http; }));
  const std::size_t loops_wanted =
      std::min(UsableCpus(), (targets.size() + kJobsPerLoop - 1) / kJobsPerLoop);
  const LanePlan plan = PlanLanes(targets.size(), names, http, settings.concurrency, loops_wanted);
  Stage stage(targets, settings, contexts, cancelled, pacing != nullptr && pacing->progress);
  if (pacing == nullptr) {
    stage.Seed();
  }
  const std::size_t lanes = plan.loops + plan.workers + (pacing != nullptr ? 1 : 0);
  pool.Run(lanes, static_cast<int>(lanes), [&](std::size_t lane) {
    if (lane == plan.loops + plan.workers) {
      stage.FeedLane(*pacing);
    } else if (lane < plan.loops) {
      // Spread the slots: the first (slots % loops) loops take one more.
      stage.LoopLane(plan.loop_slots / plan.loops + (lane < plan.loop_slots % plan.loops ? 1 : 0));
    } else {
      stage.WorkerLane();
    }
  });
  if (pacing != nullptr && pacing->progress) {
    pacing->progress(stage.TakeFinished());
  }
  return stage.Results();
}

}  // namespace portwarden::probe
