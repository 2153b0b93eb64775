#pragma once

#include <optional>
#include <span>
#include <vector>

#include "agent/core/error.h"
#include "agent/inventory/fd_table.h"
#include "agent/inventory/listener.h"

namespace portwarden::inventory {

/// One pass over every process's socket fds: the (tgid, fd, inode) table of the whole host,
/// grouped per process. Role interface; implementations by mechanism: BpfFdWalker (an
/// in-kernel `iter/task_file` pass) and, in tests, a fake. Thread-compatible: one Walk() at a
/// time, from any thread.
class FdWalker {
 public:
  virtual ~FdWalker() = default;

  /// Socket inodes per process, ascending by pid; processes without sockets may be absent.
  /// An error says why the walk cannot run now (the caller then reads /proc pid by pid).
  virtual Result<std::vector<FdTable>> Walk() const = 0;
};

/// Start time and fd count of one process: a cached owner whose stamp is unchanged is the
/// same process holding the same fds.
struct ProcessStamp {
  unsigned long long start_time = 0;
  long long fd_count = -1;  ///< -1 when unknown (the fd directory could not be stat'ed)
};

/// One process as the resolver caches it.
struct ProcessRecord {
  ProcessStamp stamp;
  int ppid = 0;
  ProcessInfo info;  ///< pid, comm, exe, unit (valid UTF-8, bounded); holder_count 1
};

/// Reads processes one at a time: the pid list, the socket inodes in chosen processes' fd
/// tables (a walk in the caller's order that can stop as soon as it has what it wants), and
/// each process's identity. Role interface; implementations: ProcfsFdWalker (/proc) and, in
/// tests, a fake. Not thread-safe; ReadFdTables() may use a helper thread internally.
class ProcessReader {
 public:
  virtual ~ProcessReader() = default;

  /// Every pid now, ascending; nullopt when the process list cannot be read.
  virtual std::optional<std::vector<int>> ListPids() = 0;

  /// The fd tables of `pids`, in that order. `parallel`: many inodes are wanted, so the
  /// reader may read ahead on a second thread.
  virtual std::vector<FdTable> ReadFdTables(std::span<const int> pids, bool parallel) = 0;

  /// Identity, parent and stamp of `pid`; nullopt when it is gone.
  virtual std::optional<ProcessRecord> ReadProcess(int pid) = 0;

  /// The stamp alone (the warm cycle's check); nullopt when `pid` is gone.
  virtual std::optional<ProcessStamp> ReadStamp(int pid) = 0;
};

}  // namespace portwarden::inventory
