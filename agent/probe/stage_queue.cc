#include "agent/probe/stage_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace portwarden::probe {

StageQueue::StageQueue(std::size_t budget, std::size_t work)
    : budget_(std::max<std::size_t>(budget, 1)),
      work_(work),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

void StageQueue::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof(one));
}

std::size_t StageQueue::PushJob(const AddressJob& job, bool wake) {
  std::size_t id = 0;
  {
    const std::lock_guard lock(mutex_);
    id = jobs_.size();
    jobs_.push_back(job);
    ready_.push_back(id);
  }
  if (wake) {
    Wake();
  }
  return id;
}

AddressJob StageQueue::Job(std::size_t job_id) {
  const std::lock_guard lock(mutex_);
  return jobs_[job_id];
}

void StageQueue::PushTask(BlockingTask task) {
  {
    const std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  tasks_ready_.notify_one();
}

void StageQueue::FinishWork(std::unique_lock<std::mutex>& lock, std::size_t units) {
  work_ -= units;
  if (work_ == 0) {
    lock.unlock();
    tasks_ready_.notify_all();
    Wake();
  }
}

void StageQueue::Resolved(std::size_t addresses) {
  std::unique_lock lock(mutex_);
  if (addresses > 0) {
    work_ += addresses - 1;  // The target's one unit becomes one per address.
    return;
  }
  FinishWork(lock, 1);
}

void StageQueue::Finished(bool in_flight) {
  std::unique_lock lock(mutex_);
  bool freed = false;
  if (in_flight) {
    freed = in_flight_-- == budget_ && !ready_.empty();  // A loop may wait for this slot.
  }
  if (work_ == 1) {
    FinishWork(lock, 1);
    return;
  }
  --work_;
  lock.unlock();
  if (freed) {
    Wake();
  }
}

StageQueue::Take StageQueue::TakeJob(std::size_t& job_id, AddressJob& job) {
  const std::lock_guard lock(mutex_);
  if (work_ == 0) {
    return Take::kDone;
  }
  if (ready_.empty() || in_flight_ >= budget_) {
    return Take::kLater;
  }
  job_id = ready_.front();
  ready_.pop_front();
  job = jobs_[job_id];
  ++in_flight_;
  return Take::kJob;
}

std::optional<BlockingTask> StageQueue::WaitTask() {
  std::unique_lock lock(mutex_);
  tasks_ready_.wait(lock, [&] { return !tasks_.empty() || work_ == 0; });
  if (tasks_.empty()) {
    return std::nullopt;
  }
  BlockingTask task = std::move(tasks_.front());
  tasks_.pop_front();
  return task;
}

}  // namespace portwarden::probe
