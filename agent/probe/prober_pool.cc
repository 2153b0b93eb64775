#include "agent/probe/prober_pool.h"

#include <algorithm>

namespace portwarden::probe {

WorkerPool::~WorkerPool() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    thread.join();
  }
}

void WorkerPool::Drain(std::unique_lock<std::mutex>& lock) {
  while (next_ < count_) {
    const std::size_t index = next_++;
    lock.unlock();
    (*job_)(index);
    lock.lock();
    if (++finished_ == count_) {
      done_.notify_all();
    }
  }
}

void WorkerPool::Loop(std::size_t worker) {
  std::unique_lock lock(mutex_);
  std::uint64_t seen = 0;
  while (true) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) {
      return;
    }
    seen = generation_;
    if (worker < limit_) {
      Drain(lock);
    }
  }
}

void WorkerPool::Run(std::size_t count,
                     int concurrency,
                     const std::function<void(std::size_t)>& job) {
  if (count == 0) {
    return;
  }
  const std::size_t helpers = std::min<std::size_t>(count, std::max(1, concurrency)) - 1;
  std::unique_lock lock(mutex_);
  while (threads_.size() < helpers) {
    threads_.emplace_back([this, worker = threads_.size()] { Loop(worker); });
  }
  job_ = &job;
  count_ = count;
  next_ = 0;
  finished_ = 0;
  limit_ = helpers;
  ++generation_;
  wake_.notify_all();
  Drain(lock);
  done_.wait(lock, [&] { return finished_ == count_; });
  job_ = nullptr;
}

void RunBounded(std::size_t count, int concurrency, const std::function<void(std::size_t)>& job) {
  WorkerPool pool;
  pool.Run(count, concurrency, job);
}

}  // namespace portwarden::probe
