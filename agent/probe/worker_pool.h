#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace portwarden::probe {

/// A bounded set of worker threads kept between probe cycles (creating and tearing down
/// threads every cycle cost more CPU than the handshakes' own bookkeeping). Run() hands out
/// job indices in order to whichever worker is free, so one slow job holds up only its own
/// thread. A run wakes only the helpers it needs, so an idle pool of 32 costs a batch of 2
/// nothing. One Run() at a time; the destructor stops and joins the workers.
class WorkerPool {
 public:
  WorkerPool() = default;
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Runs job(0) .. job(count - 1) on at most `concurrency` threads (the caller's included)
  /// and returns when all are done. `job` must be thread-safe and honour its own deadline.
  void Run(std::size_t count, int concurrency, const std::function<void(std::size_t)>& job);

 private:
  void Loop(std::uint64_t seen);
  void Drain(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  std::size_t finished_ = 0;
  std::size_t wanted_ = 0;  // Helpers the current run asked for (it woke that many).
  std::size_t joined_ = 0;  // Helpers that took part in it so far.
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace portwarden::probe
