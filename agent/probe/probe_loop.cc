#include "agent/probe/probe_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <vector>

#include "agent/core/openssl_handles.h"

namespace portwarden::probe {
namespace {

/// Longest single wait, so a cancel is noticed promptly.
constexpr auto kMaxWait = std::chrono::milliseconds(50);

/// The epoll cookie of the wake fd (slots use their index).
constexpr std::uint64_t kWakeCookie = ~std::uint64_t{0};

/// What the last Refill() left: slots full, nothing to take yet, or nothing more ever.
enum class Pull : std::uint8_t { kFull, kLater, kDone };

/// The probes in flight, each in a fixed slot whose index is its epoll cookie. A probe's
/// socket is registered once, edge-triggered for both directions: OpenSSL only asks to wait
/// after a read or write returned EAGAIN, so every later change of the socket is an edge, and
/// a closed socket leaves the epoll set by itself.
class Slots {
 public:
  explicit Slots(std::size_t count) : entries_(count), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    for (std::size_t i = count; i-- > 0;) {
      free_.push_back(i);
    }
  }

  bool Full() const { return free_.empty(); }

  bool Empty() const { return free_.size() == entries_.size(); }

  int epoll() const { return epoll_.get(); }

  /// Watches `fd` (edge-triggered) under kWakeCookie.
  void Watch(int fd) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.u64 = kWakeCookie;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event);
  }

  /// Takes a probe that is waiting on its socket; false if the socket cannot be watched.
  bool Add(LoopEntry& entry) {
    const std::size_t slot = free_.back();
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = slot;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, entry.probe->fd(), &event) != 0) {
      return false;
    }
    free_.pop_back();
    entries_[slot] = std::move(entry);
    return true;
  }

  LoopEntry& At(std::size_t slot) { return entries_[slot]; }

  /// Hands the finished probe in `slot` to `done` and frees the slot.
  void Finish(std::size_t slot, const ProbeDone& done) {
    LoopEntry entry = std::move(entries_[slot]);
    free_.push_back(slot);
    done(entry.id, std::move(entry.probe));
  }

  /// Expires the probes whose wait ran out (or that were cancelled) and returns the
  /// milliseconds until the earliest wait limit left, rounded up, at most kMaxWait.
  int Sweep(SteadyTime now, const ProbeDone& done) {
    SteadyTime until = now + kMaxWait;
    for (std::size_t slot = 0; slot < entries_.size(); ++slot) {
      AddressProbe* probe = entries_[slot].probe.get();
      if (probe == nullptr) {
        continue;
      }
      const SteadyTime limit = probe->WaitLimit();
      if (probe->deadline().Cancelled() || now >= limit) {
        probe->Expire();
        Finish(slot, done);
      } else {
        until = std::min(until, limit);
      }
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
    return static_cast<int>(std::max<std::int64_t>(left, 0));
  }

 private:
  std::vector<LoopEntry> entries_;
  std::vector<std::size_t> free_;
  UniqueFd epoll_;
};

/// Starts probes from `next` while slots are free.
Pull Refill(Slots& slots, const NextProbe& next, const ProbeDone& done) {
  while (!slots.Full()) {
    LoopEntry entry = next();
    if (!entry.probe) {
      return entry.later ? Pull::kLater : Pull::kDone;
    }
    AddressProbe& probe = *entry.probe;
    if (!probe.deadline().Cancelled() && probe.Step() != 0 && slots.Add(entry)) {
      continue;
    }
    probe.Expire();  // Cancelled, or the socket could not be watched; no-op when finished.
    done(entry.id, std::move(entry.probe));
  }
  return Pull::kFull;
}

void Drain(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto n = ::read(fd, &count, sizeof(count));
}

}  // namespace

void RunProbeLoop(std::size_t slot_count,
                  const NextProbe& next,
                  const ProbeDone& done,
                  int wake_fd) {
  Slots slots(std::max<std::size_t>(slot_count, 1));
  std::vector<epoll_event> events(std::max<std::size_t>(slot_count, 1) + 1);
  if (wake_fd >= 0) {
    slots.Watch(wake_fd);
  }
  Pull pull = Pull::kFull;
  while (true) {
    if (pull != Pull::kDone) {
      pull = Refill(slots, next, done);
    }
    const int timeout = slots.Sweep(std::chrono::steady_clock::now(), done);
    if (pull == Pull::kFull && !slots.Full()) {
      continue;  // Expired probes freed slots: fill them before waiting.
    }
    if (slots.Empty() && pull == Pull::kDone) {
      return;
    }
    const int ready =
        ::epoll_wait(slots.epoll(), events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t cookie = events[static_cast<std::size_t>(i)].data.u64;
      if (cookie == kWakeCookie) {
        Drain(wake_fd);
        continue;
      }
      const auto slot = static_cast<std::size_t>(cookie);
      LoopEntry& entry = slots.At(slot);
      if (entry.probe && !entry.probe->deadline().Cancelled() && entry.probe->Step() == 0) {
        slots.Finish(slot, done);
      }
    }
  }
}

}  // namespace portwarden::probe
