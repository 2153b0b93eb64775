#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace portwarden::exporters::http {

/// A fixed set of threads running queued tasks; the queue is bounded so a burst of complete
/// requests is refused (503) rather than buffered without limit. Thread-safe.
class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `task`; false when the queue is full or the pool is stopping.
  bool TryPost(std::function<void()> task);

  /// Lets running tasks finish, drops queued ones, joins. Idempotent.
  void Stop();

 private:
  void Run();

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace portwarden::exporters::http
