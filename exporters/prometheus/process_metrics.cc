#include <cstdint>
#include <limits>

#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void AppendProcessMetrics(const ProcessStats& stats, Families& out) {
  Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
      .Add({}, stats.cpu_seconds)
      .MoveInto(out);
  Gauge("process_max_fds", "Maximum number of open file descriptors.")
      .Add({}, stats.max_fds)
      .MoveInto(out);
  Gauge("process_open_fds", "Number of open file descriptors.")
      .Add({}, stats.open_fds)
      .MoveInto(out);
  Gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
      .Add({}, stats.resident_memory_bytes)
      .MoveInto(out);
  Gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
      .Add({}, stats.start_time_seconds)
      .MoveInto(out);
  Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
      .Add({}, stats.virtual_memory_bytes)
      .MoveInto(out);
  // Unlimited is reported as the largest uint64, as client_golang does.
  Gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.")
      .Add({}, stats.virtual_memory_max_bytes.value_or(
                   static_cast<double>(std::numeric_limits<std::uint64_t>::max())))
      .MoveInto(out);
}

}  // namespace portwarden::exporters::prom
