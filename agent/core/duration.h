#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "agent/core/error.h"

namespace portwarden {

using Duration = std::chrono::milliseconds;

/// Parses a Prometheus-style duration: one or more `<integer><unit>` terms, units
/// `ms`, `s`, `m`, `h`, `d`, `w`, `y`, largest first ("1h30m", "15s", "500ms").
/// Returns an error naming what is wrong; zero is accepted here and rejected by callers.
Result<Duration> ParseDuration(std::string_view text);

/// Formats a duration the way ParseDuration reads it ("1m30s", "250ms", "0s").
std::string FormatDuration(Duration duration);

/// Seconds as a double, for metrics.
inline double ToSeconds(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

/// Seconds elapsed since `start` on the monotonic clock, as a double (stage timings).
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return ToSeconds(std::chrono::steady_clock::now() - start);
}

}  // namespace portwarden
