#include "agent/probe/prober_pool.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace portwarden::probe {

void RunBounded(std::size_t count, int concurrency, const std::function<void(std::size_t)>& job) {
  const std::size_t threads = std::min<std::size_t>(count, std::max(1, concurrency));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t index = next++; index < count; index = next++) {
      job(index);
    }
  };
  if (threads <= 1) {
    worker();
    return;
  }
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (std::size_t i = 1; i < threads; ++i) {
    pool.emplace_back(worker);
  }
  worker();
}

}  // namespace portwarden::probe
