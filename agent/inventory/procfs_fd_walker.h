#pragma once

#include <string>

#include "agent/inventory/fd_walker.h"

namespace portwarden::inventory {

/// Reads processes under a /proc tree (the host's, or a fixture tree): fd tables by one
/// readlinkat per fd (fds probed by number while the table is dense, the directory listed
/// otherwise), two threads when asked to read in parallel, and identity from stat, comm, exe
/// and cgroup, sanitized where it enters. Not thread-safe.
class ProcfsFdWalker final : public ProcessReader {
 public:
  explicit ProcfsFdWalker(std::string proc_path) : proc_path_(std::move(proc_path)) {}

  std::optional<std::vector<int>> ListPids() override;
  std::vector<FdTable> ReadFdTables(std::span<const int> pids, bool parallel) override;
  std::optional<ProcessRecord> ReadProcess(int pid) override;
  std::optional<ProcessStamp> ReadStamp(int pid) override;

 private:
  std::string proc_path_;
};

}  // namespace portwarden::inventory
