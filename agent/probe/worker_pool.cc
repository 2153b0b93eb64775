#include "agent/probe/worker_pool.h"

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

void WorkerPool::Loop(std::uint64_t seen) {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) {
      return;
    }
    seen = generation_;
    if (joined_ < wanted_) {  // A spurious wake-up may take a woken helper's place: harmless.
      ++joined_;
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
    // Created for this run: it must take part even if it first gets the lock after the
    // generation moved on.
    threads_.emplace_back([this, seen = generation_] { Loop(seen); });
  }
  job_ = &job;
  count_ = count;
  next_ = 0;
  finished_ = 0;
  wanted_ = helpers;
  joined_ = 0;
  ++generation_;
  for (std::size_t i = 0; i < helpers; ++i) {
    wake_.notify_one();
  }
  Drain(lock);
  done_.wait(lock, [&] { return finished_ == count_; });
  job_ = nullptr;
}

}  // namespace portwarden::probe
