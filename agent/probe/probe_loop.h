#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "agent/probe/address_probe.h"

namespace portwarden::probe {

/// A probe to run and the caller's id for it. Without a probe: `later` says more may come
/// (the loop waits for its wake fd, or 50 ms), else the source is exhausted.
struct LoopEntry {
  std::size_t id = 0;
  std::unique_ptr<AddressProbe> probe;
  bool later = false;
};

using NextProbe = std::function<LoopEntry()>;
/// Takes over a probe whose connect and handshake are over.
using ProbeDone = std::function<void(std::size_t id, std::unique_ptr<AddressProbe> probe)>;

/// Drives many AddressProbes on the calling thread with one epoll_wait() per wake-up, instead
/// of one blocked thread per probe: at most `slots` in flight, new ones taken from `next`,
/// finished ones handed to `done` (on this thread). Returns when `next` is exhausted and every
/// probe has finished. `wake_fd` (an eventfd, or -1) is watched too: the producer writes to it
/// when `next` has something new after it answered `later`. Each probe keeps its own deadline;
/// a cancelled probe ends within 50 ms.
void RunProbeLoop(std::size_t slots,
                  const NextProbe& next,
                  const ProbeDone& done,
                  int wake_fd = -1);

}  // namespace portwarden::probe
