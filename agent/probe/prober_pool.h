#pragma once

#include <cstddef>
#include <functional>

namespace portwarden::probe {

/// Runs job(0) .. job(count - 1) on at most `concurrency` threads and returns when all are
/// done. Jobs are taken in index order by whichever thread is free, so one slow job holds
/// up only its own thread. `job` must be thread-safe and must honour its own deadline.
/// Threads live for one call: a cycle every 15 s or more does not warrant a resident pool.
void RunBounded(std::size_t count, int concurrency, const std::function<void(std::size_t)>& job);

}  // namespace portwarden::probe
