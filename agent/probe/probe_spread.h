#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/duration.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// When each of `targets` starts within a spread cycle (agent.probe_spread), as an offset from
/// the cycle's start, by target index. The targets are ranked by a stable hash of their
/// identity (target, server name, netns, source) and spaced evenly over `spread`: the order does
/// not depend on the list's order, a restart or a reload, so a target keeps its place in the cycle
/// and is probed at a regular period. All zero when `spread` is zero or there is one target.
std::vector<Duration> SpreadOffsets(const std::vector<ProbeTarget>& targets, Duration spread);

/// The waits of a spread cycle between one target's start and the next, on a Clock (a test
/// drives it with a FakeClock). Release() ends the wait in progress and every later one until
/// the next Arm(): the prober's Cancel() (shutdown) and Interrupt() (a reload) call it so
/// neither waits for the spread window. Thread-safe.
class SpreadPacer {
 public:
  /// `clock` must outlive the pacer.
  explicit SpreadPacer(const Clock& clock) : clock_(clock) {}

  /// Starts a cycle: waits wait again (clears an earlier Release()).
  void Arm();

  /// Blocks until the clock's monotonic time reaches `until`; false when Release() ended (or
  /// had ended) the wait early.
  bool WaitUntil(Clock::SteadyTime until);

  /// Ends the current and later waits at once, until Arm().
  void Release();

  /// The clock the waits run on.
  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool released_ = false;
};

/// The reports a spread cycle publishes while it runs: each target finished so far with its
/// fresh results, each other one with its results in `previous` (the last report published,
/// matched by target, server name and source), a target in neither left out. Used by one thread at
/// a time.
class SpreadReport {
 public:
  SpreadReport(const std::vector<ProbeTarget>& targets,
               std::shared_ptr<const ProbeReport> previous);

  /// Target `index` finished with `results`.
  void Add(std::size_t index, std::vector<ProbeResult> results);

  /// Every target has finished.
  bool Complete() const { return finished_ == fresh_.size(); }

  /// The report so far, with the `counters` of the series it holds; it also stands in for
  /// `previous` from now on (its stale results are the same ones).
  std::shared_ptr<const ProbeReport> SoFar(const std::map<std::string, ProbeCounters>& counters,
                                           const std::vector<double>& handshake_bounds);

  /// The fresh results in target order (address order within one), moved out.
  std::vector<ProbeResult> TakeResults();

 private:
  void IndexStale();

  std::vector<std::string> keys_;  // per target: what matches its results in a report
  std::vector<std::vector<ProbeResult>> fresh_;
  std::vector<bool> done_;
  std::size_t finished_ = 0;
  std::shared_ptr<const ProbeReport> previous_;
  std::multimap<std::string, const ProbeResult*> stale_;  // previous_'s results by key
};

}  // namespace portwarden::probe
