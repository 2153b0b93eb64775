#include "agent/probe/probe_loop.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <vector>

namespace portwarden::probe {
namespace {

/// Longest single poll(), so a cancel is noticed promptly.
constexpr auto kMaxWait = std::chrono::milliseconds(50);

struct InFlight {
  LoopEntry entry;
  short events = 0;
};

/// Milliseconds until the earliest wait limit, rounded up, at most kMaxWait.
int PollTimeoutMs(const std::vector<InFlight>& active, SteadyTime now) {
  SteadyTime until = now + kMaxWait;
  for (const auto& item : active) {
    until = std::min(until, item.entry.probe->WaitLimit());
  }
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
  return static_cast<int>(std::max<std::int64_t>(left, 0));
}

/// Starts probes from `next` until `slots` are in flight; false once `next` ran dry.
bool Refill(std::vector<InFlight>& active,
            std::size_t slots,
            const NextProbe& next,
            const ProbeDone& done) {
  while (active.size() < slots) {
    LoopEntry entry = next();
    if (!entry.probe) {
      return false;
    }
    AddressProbe& probe = *entry.probe;
    short events = 0;
    if (probe.deadline().Cancelled()) {
      probe.Expire();
    } else {
      events = probe.Step();
    }
    if (events == 0) {
      done(entry.id, probe);
    } else {
      active.push_back({std::move(entry), events});
    }
  }
  return true;
}

/// Steps the probe whose socket is ready, expires the one whose wait ran out; true when it
/// has finished.
bool Advance(InFlight& item, short revents, SteadyTime now) {
  AddressProbe& probe = *item.entry.probe;
  if (probe.deadline().Cancelled()) {
    probe.Expire();
    return true;
  }
  if (revents != 0) {
    item.events = probe.Step();
    return item.events == 0;
  }
  if (now >= probe.WaitLimit()) {
    probe.Expire();
    return true;
  }
  return false;
}

}  // namespace

void RunProbeLoop(std::size_t slots, const NextProbe& next, const ProbeDone& done) {
  slots = std::max<std::size_t>(slots, 1);
  std::vector<InFlight> active;
  std::vector<pollfd> fds;
  active.reserve(slots);
  bool more = true;
  while (true) {
    more = more && Refill(active, slots, next, done);
    if (active.empty()) {
      return;
    }
    fds.clear();
    for (const auto& item : active) {
      fds.push_back({item.entry.probe->fd(), item.events, 0});
    }
    const int timeout = PollTimeoutMs(active, std::chrono::steady_clock::now());
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
      fds.assign(fds.size(), pollfd{-1, 0, 0});  // Cannot happen; let the deadlines decide.
    }
    const SteadyTime now = std::chrono::steady_clock::now();
    for (std::size_t i = active.size(); i-- > 0;) {
      if (Advance(active[i], fds[i].revents, now)) {
        done(active[i].entry.id, *active[i].entry.probe);
        active[i] = std::move(active.back());
        active.pop_back();
      }
    }
  }
}

}  // namespace portwarden::probe
