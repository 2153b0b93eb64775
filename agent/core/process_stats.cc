#include "agent/core/process_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace portwarden {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

double BootTimeSeconds(const std::string& proc_path) {
  std::istringstream in(ReadWhole(proc_path + "/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("btime ", 0) == 0) {
      return std::stod(line.substr(6));
    }
  }
  return 0;
}

int CountEntries(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) {
    return 0;
  }
  int count = 0;
  while (const dirent* entry = ::readdir(handle)) {  // NOLINT(concurrency-mt-unsafe)
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  ::closedir(handle);
  return count - 1;  // the fd opendir itself holds
}

// "Max open files            1024                 1048576              files"
std::optional<double> SoftLimit(const std::string& limits, const std::string& name) {
  std::istringstream in(limits);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0) {
      continue;
    }
    std::istringstream fields(line.substr(name.size()));
    std::string soft;
    fields >> soft;
    if (soft == "unlimited") {
      return std::nullopt;
    }
    return std::stod(soft);
  }
  return std::nullopt;
}

}  // namespace

bool ParseProcStat(const std::string& text, StatFields& out) {
  // comm may contain spaces and parentheses: fields start after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) {
    return false;
  }
  std::istringstream in(text.substr(close + 2));
  std::vector<std::string> fields;
  std::string field;
  while (in >> field) {
    fields.push_back(field);
  }
  // fields[0] is field 3 (state); utime is field 14 → index 11.
  if (fields.size() < 22) {
    return false;
  }
  out.utime_ticks = std::stod(fields[11]);
  out.stime_ticks = std::stod(fields[12]);
  out.start_ticks = std::stod(fields[19]);
  out.vsize_bytes = std::stod(fields[20]);
  out.rss_pages = std::stod(fields[21]);
  return true;
}

ProcessStats ReadProcessStats(const std::string& proc_path) {
  ProcessStats stats;
  StatFields fields;
  if (ParseProcStat(ReadWhole(proc_path + "/self/stat"), fields)) {
    const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    stats.cpu_seconds = (fields.utime_ticks + fields.stime_ticks) / ticks;
    stats.start_time_seconds = BootTimeSeconds(proc_path) + fields.start_ticks / ticks;
    stats.virtual_memory_bytes = fields.vsize_bytes;
    stats.resident_memory_bytes = fields.rss_pages * page;
  }
  stats.open_fds = CountEntries(proc_path + "/self/fd");
  const std::string limits = ReadWhole(proc_path + "/self/limits");
  stats.max_fds = SoftLimit(limits, "Max open files").value_or(0);
  stats.virtual_memory_max_bytes = SoftLimit(limits, "Max address space");
  return stats;
}

}  // namespace portwarden
