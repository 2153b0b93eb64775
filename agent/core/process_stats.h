#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace portwarden {

/// The standard process_* figures for one process, read from procfs.
struct ProcessStats {
  double cpu_seconds = 0;
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double start_time_seconds = 0;  ///< Unix seconds.
  double open_fds = 0;
  double max_fds = 0;
  std::optional<double> virtual_memory_max_bytes;  ///< Absent when unlimited.
};

/// Reads /<proc>/self/{stat,limits,fd} and /<proc>/stat (btime). Missing files leave zeros.
ProcessStats ReadProcessStats(const std::string& proc_path = "/proc");

/// Parses the text of /proc/<pid>/stat into cpu seconds, vsize, rss pages and start ticks.
/// Pure; exposed for tests. Returns false if the text is malformed.
struct StatFields {
  double utime_ticks = 0;
  double stime_ticks = 0;
  double start_ticks = 0;
  double vsize_bytes = 0;
  double rss_pages = 0;
};

bool ParseProcStat(const std::string& text, StatFields& out);

}  // namespace portwarden
