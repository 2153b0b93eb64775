#include "agent/probe/heap_trim.h"

#include <malloc.h>

namespace portwarden::probe {

bool HeapTrimmer::MaybeTrim() {
  const SteadyTime now = std::chrono::steady_clock::now();
  if (last_ && now - *last_ < period_) {
    return false;
  }
  last_ = now;
  malloc_trim(0);
  return true;
}

}  // namespace portwarden::probe
