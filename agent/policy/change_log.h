#pragma once

#include <cstddef>

#include "agent/policy/change_tracker.h"

namespace portwarden::policy {

/// How many listener lines the log may carry (docs/exposure.md, "Logs under churn").
struct ChangeLogLimits {
  std::size_t per_scan = 20;  ///< Lines of each kind (changes, violations) per scan at most.
  double burst = 100;         ///< Token bucket capacity, per kind.
  double per_minute = 10;     ///< Tokens refilled per minute, per kind.
};

/// Logs what a ChangeTracker found, in bounded volume: one info line per appeared or
/// disappeared listener and one warn line per new violation while changes are few; under
/// churn (an unprivileged user can open and close thousands of sockets a second) each kind
/// gets at most `per_scan` lines per scan from a token bucket, and whatever was not logged
/// one by one is counted in a single summary line for that scan. The counters
/// (portwarden_listener_changes_total) are the tracker's and stay exact: only lines are
/// bounded. Not thread-safe; owned by one PolicyEngine.
class ChangeLogger {
 public:
  explicit ChangeLogger(ChangeLogLimits limits = {});
  ChangeLogger(const ChangeLogger&) = delete;
  ChangeLogger& operator=(const ChangeLogger&) = delete;

  /// Logs the changes of one scan that finished at `now` (Unix seconds).
  void Log(const ChangeSet& changes, double now);

 private:
  // Lines allowed now, out of `wanted`; spends them.
  class Budget {
   public:
    explicit Budget(const ChangeLogLimits& limits) : limits_(limits), tokens_(limits.burst) {}

    std::size_t Take(std::size_t wanted, double now);

   private:
    const ChangeLogLimits& limits_;
    double tokens_;
    double last_ = -1;
  };

  void LogListenerChanges(const ChangeSet& changes, double now);
  void LogViolations(const ChangeSet& changes, double now);

  ChangeLogLimits limits_;
  Budget changes_{limits_};
  Budget violations_{limits_};
};

}  // namespace portwarden::policy
