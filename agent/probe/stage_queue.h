#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "agent/core/openssl_handles.h"
#include "agent/probe/address_probe.h"

namespace portwarden::probe {

/// One unit of work for the handshake stage: one address of one target.
struct AddressJob {
  std::size_t target_index = 0;
  std::size_t address_index = 0;
  double resolve_seconds = 0;
};

/// Work for a blocking worker: resolve target `target_index` (no probe), or run the HTTP
/// checks of `probe`, whose handshake is over (the job `job_id`; target_index unused).
struct BlockingTask {
  std::size_t target_index = 0;
  std::size_t job_id = 0;
  std::unique_ptr<AddressProbe> probe;
};

/// What a cycle's lanes share. Event loops take AddressJobs ready for their handshake;
/// blocking workers take resolutions and HTTP checks. `work` counts what is unfinished (a
/// target being resolved, an address not yet probed to the end); the cycle is over when it
/// reaches 0. At most `budget` probes are in flight — from the start of their connect to their
/// last HTTP check — however they are split between loops and workers. Loops that answered
/// "later" are woken through an eventfd. Thread-safe.
class StageQueue {
 public:
  StageQueue(std::size_t budget, std::size_t work);

  /// The eventfd loops watch.
  int wake_fd() const { return wake_.get(); }

  /// Queues an address for a handshake; returns its job id. `wake` tells waiting loops.
  std::size_t PushJob(const AddressJob& job, bool wake);

  /// The job `job_id` as queued.
  AddressJob Job(std::size_t job_id);

  /// Queues a resolution or an HTTP check for a worker.
  void PushTask(BlockingTask task);

  /// A target resolved into `addresses` jobs (0 when it failed): adjusts the unfinished work.
  void Resolved(std::size_t addresses);

  /// The job `job_id` (a probe in flight when `in_flight`) has its final result.
  void Finished(bool in_flight);

  enum class Take : std::uint8_t { kJob, kLater, kDone };

  /// For loops: the next job (counted in flight from now on), or whether one may come later.
  Take TakeJob(std::size_t& job_id, AddressJob& job);

  /// For workers: blocks until there is a task; nullopt once all work is done.
  std::optional<BlockingTask> WaitTask();

 private:
  void Wake();
  void FinishWork(std::unique_lock<std::mutex>& lock, std::size_t units);

  const std::size_t budget_;
  std::mutex mutex_;
  std::condition_variable tasks_ready_;
  std::deque<AddressJob> jobs_;  // Every job of the cycle, by id (stable references).
  std::deque<std::size_t> ready_;
  std::deque<BlockingTask> tasks_;
  std::size_t work_ = 0;
  std::size_t in_flight_ = 0;
  UniqueFd wake_;
};

}  // namespace portwarden::probe
