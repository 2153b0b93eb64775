#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/duration.h"

namespace portwarden::engine {

/// Runs jobs on their own intervals. Each job has one thread, so a job never overlaps
/// itself and a slow job never delays another. The next run starts `interval` after the
/// previous one started, plus a random jitter of up to `jitter * interval`, so a fleet
/// of agents does not probe in lockstep; a run that overshoots its interval is followed
/// immediately by the next. The first run of every job starts at Start().
/// Time (the start of a run, the wait for the next) is `clock`'s monotonic side, so a test
/// drives the schedule with a FakeClock. Add() before Start(); Trigger() and Stop() are
/// thread-safe.
class Scheduler {
 public:
  struct Job {
    std::string name;
    std::function<Duration()> interval;  ///< Read before every wait (config may change).
    std::function<double()> jitter;      ///< Fraction of the interval, 0..0.5.
    std::function<void()> run;
  };

  /// Runs on the real clock.
  Scheduler() : Scheduler(SystemClock::Instance()) {}

  /// `clock` must outlive the scheduler.
  explicit Scheduler(const Clock& clock) : clock_(clock) {}

  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void Add(Job job);
  void Start();
  /// Wakes the named job now (e.g. after a reload). Unknown names are ignored.
  void Trigger(const std::string& name);
  /// Stops waiting jobs at once and joins; a job in progress finishes its run first.
  void Stop();

 private:
  struct Slot {
    Job job;
    bool triggered = false;
  };

  void Loop(Slot& slot);

  const Clock& clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
};

}  // namespace portwarden::engine
