#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "agent/probe/address_probe.h"

namespace portwarden::probe {

/// A probe to run and the caller's id for it; `probe` is null when there is nothing left.
struct LoopEntry {
  std::size_t id = 0;
  std::unique_ptr<AddressProbe> probe;
};

using NextProbe = std::function<LoopEntry()>;
using ProbeDone = std::function<void(std::size_t id, AddressProbe& probe)>;

/// Drives many AddressProbes on the calling thread with one epoll_wait() per wake-up, instead
/// of one blocked thread per probe: at most `slots` in flight, new ones taken from `next`, finished
/// ones handed to `done` (on this thread) and then destroyed. Returns when `next` is exhausted and
/// every probe has finished. Each probe keeps its own deadline; a cancelled probe ends within 50
/// ms.
void RunProbeLoop(std::size_t slots, const NextProbe& next, const ProbeDone& done);

}  // namespace portwarden::probe
