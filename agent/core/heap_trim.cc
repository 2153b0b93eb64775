#include "agent/core/heap_trim.h"

#include <malloc.h>

namespace portwarden {

bool HeapTrimmer::MaybeTrim() {
  const auto now = std::chrono::steady_clock::now();
  if (last_ && now - *last_ < period_) {
    return false;
  }
  last_ = now;
  malloc_trim(0);
  return true;
}

}  // namespace portwarden
