#include "agent/engine/scheduler.h"

#include <chrono>
#include <memory>
#include <random>

namespace portwarden::engine {
namespace {

Duration Jitter(Duration interval, double fraction) {
  if (fraction <= 0) {
    return Duration(0);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> dist(0.0, fraction);
  return Duration(static_cast<Duration::rep>(static_cast<double>(interval.count()) * dist(rng)));
}

}  // namespace

Scheduler::~Scheduler() {
  Stop();
}

void Scheduler::Add(Job job) {
  slots_.push_back(std::make_unique<Slot>(Slot{std::move(job), false}));
}

void Scheduler::Start() {
  for (auto& slot : slots_) {
    threads_.emplace_back([this, &slot] { Loop(*slot); });
  }
}

void Scheduler::Trigger(const std::string& name) {
  {
    const std::lock_guard lock(mutex_);
    for (auto& slot : slots_) {
      if (slot->job.name == name) {
        slot->triggered = true;
      }
    }
  }
  wake_.notify_all();
}

void Scheduler::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  threads_.clear();
}

void Scheduler::Loop(Slot& slot) {
  while (true) {
    const Clock::SteadyTime started = clock_.SteadyNow();
    slot.job.run();
    const Duration interval = slot.job.interval();
    const Clock::SteadyTime next = started + interval + Jitter(interval, slot.job.jitter());
    std::unique_lock lock(mutex_);
    clock_.WaitUntil(wake_, lock, next, [&] { return stopping_ || slot.triggered; });
    if (stopping_) {
      return;
    }
    slot.triggered = false;
  }
}

}  // namespace portwarden::engine
