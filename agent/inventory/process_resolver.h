#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/inventory/listener.h"

namespace portwarden::inventory {

/// How one Resolve() went, for self-metrics.
struct ResolveStats {
  int unattributed = 0;        ///< inodes no readable process holds
  int processes_scanned = 0;   ///< /proc/<pid>/fd directories read
  int fds_read = 0;            ///< readlink calls
  int processes_vanished = 0;  ///< exited between listing and reading
  int proc_errors = 0;         ///< /proc entries that could not be read (EACCES, not a dir, ...)
  int cache_hits = 0;          ///< inodes answered from the cache after revalidation
};

/// Who holds one socket: the canonical (lowest) pid and how many processes share it.
struct SocketOwner {
  int pid = 0;
  int holders = 1;
};

/// Result of one Resolve(): owners by socket inode, and each owner process once.
struct Attribution {
  std::unordered_map<std::uint64_t, SocketOwner> sockets;
  std::unordered_map<int, ProcessInfo> processes;

  /// The owner of `inode` with holder_count filled in; nullopt when unattributed.
  std::optional<ProcessInfo> Find(std::uint64_t inode) const;
};

/// One process's fd table as read from /proc/<pid>/fd: its socket inodes and how the
/// read went (merged into ResolveStats when the table is used).
struct FdTable {
  int pid = 0;
  bool opened = false;  ///< The fd directory could be opened.
  int vanished = 0;     ///< 1 when the process was gone.
  int errors = 0;       ///< Unreadable fd directory or denied readlinks.
  int fds_read = 0;
  std::vector<std::uint64_t> inodes;
};

/// Maps socket inodes to the process holding them (pid, comm, exe, systemd unit or
/// container id), the job `ss -p` does by reading every fd on the host on every run.
///
/// Shape: owners found earlier are revalidated cheaply (same start time and the same fd
/// count, from one stat of /proc/<pid>/fd, whose size is the fd count on Linux 6.2+); only
/// inodes not answered that way trigger a /proc/*/fd scan, which visits previous owners
/// first and stops as soon as every wanted inode is found (a cold scan with many wanted
/// inodes reads fd tables a batch of pids at a time on two threads, then claims in order). Inodes a
/// full scan could not attribute (kernel sockets, unreadable processes) are not searched again
/// until new inodes appear or every tenth call, so a warm cycle costs O(owner processes), not
/// O(fds). Not thread-safe.
class ProcessResolver {
 public:
  explicit ProcessResolver(std::string proc_path) : proc_path_(std::move(proc_path)) {}

  /// Owners of `inodes`; inodes that could not be attributed are absent from the result.
  /// `likely_pids` are searched right after previous owners (e.g. the processes of the
  /// namespaces the sockets live in: a socket is nearly always held inside its namespace).
  Attribution Resolve(std::span<const std::uint64_t> inodes,
                      ResolveStats& stats,
                      std::span<const int> likely_pids = {});

 private:
  struct Owner {
    unsigned long long start_time = 0;
    long long fd_count = -1;
    ProcessInfo info;
  };

  using InodeSet = std::unordered_set<std::uint64_t>;

  bool StillValid(int pid, const Owner& owner) const;
  void Revalidate(InodeSet& wanted, Attribution& found, ResolveStats& stats);
  void Claim(const FdTable& table, InodeSet& wanted, Attribution& found, ResolveStats& stats);
  void ScanPids(std::span<const int> pids,
                InodeSet& wanted,
                Attribution& found,
                ResolveStats& stats);
  void Scan(InodeSet& wanted,
            std::span<const int> likely_pids,
            Attribution& found,
            ResolveStats& stats);
  bool LoadOwner(int pid, Owner& owner) const;

  std::string proc_path_;
  std::unordered_map<std::uint64_t, SocketOwner> owner_pid_;  // inode -> owner
  std::unordered_map<int, Owner> owners_;                     // pid -> process details
  InodeSet unattributable_;
  int calls_ = 0;
};

}  // namespace portwarden::inventory
