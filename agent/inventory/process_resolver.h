#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/inventory/deferred_fd_walker.h"
#include "agent/inventory/fd_walker.h"
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
  const char* walk = "";       ///< how the walk past previous owners ran: "bpf", "procfs", ""
};

/// Who holds one socket: the top-most holder (the pre-forking master, not a worker) and how
/// many processes share it.
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

/// Maps socket inodes to the process holding them (pid, comm, exe, systemd unit or
/// container id), the job `ss -p` does by reading every fd on the host on every run.
///
/// Shape: owners found earlier are revalidated cheaply (same start time and the same fd
/// count, from one stat of /proc/<pid>/fd, whose size is the fd count on Linux 6.2+); only
/// inodes not answered that way trigger a walk, which visits previous owners first, then the
/// likely pids, then everyone, and stops as soon as every wanted inode is found. The walk is
/// one pass of the FdWalker (BPF) when there is one and it is available, else the
/// ProcessReader's fd tables pid by pid (a cold walk with many wanted inodes reads them a batch
/// of pids at a time, possibly on two threads, then claims in order). Inodes a full walk could not
/// attribute (kernel sockets, unreadable processes) are not searched again until new inodes
/// appear or every tenth call, so a warm cycle costs O(owner processes), not O(fds).
/// A socket found in a process whose parent holds it too belongs to the parent (repeated up
/// the tree, stopping below PID 1 so that a socket systemd passed to a service stays with the
/// service): the owner of a pre-forking server is its master, whatever the pid order.
/// Everything it reads goes through its ProcessReader and FdWalker. Not thread-safe.
class ProcessResolver {
 public:
  /// `reader`: per-process reads (must not be null); `walker`: loads the one-pass walker at
  /// its first use (empty: pid-by-pid walks only). The one-pass walker must report the pids
  /// `reader` sees (the BPF walk's kernel pids match only the host's own /proc).
  explicit ProcessResolver(std::unique_ptr<ProcessReader> reader,
                           DeferredFdWalker::Loader walker = {})
      : reader_(std::move(reader)), walker_(std::move(walker)) {}

  /// Why the one-pass walk is not in use (empty message while it is, or before it was
  /// needed); `code` is the errno when there is one (EPERM: no CAP_BPF/CAP_PERFMON).
  const Error& BpfUnavailable() const { return walker_.Unavailable(); }

  /// Starts loading the one-pass walker and walking on a helper thread, so that a first
  /// scan's walk overlaps its socket dumps; the next Resolve() claims from that snapshot, then
  /// walks again only for inodes it lacks (sockets opened after it). No-op without one.
  void PrefetchWalk() { walker_.Prefetch(); }

  /// The one-pass walker is loaded and will serve the next walk.
  bool BpfReady() const { return walker_.Ready(); }

  /// Owners of `inodes`; inodes that could not be attributed are absent from the result.
  /// `likely_pids` are searched right after previous owners (e.g. the processes of the
  /// namespaces the sockets live in: a socket is nearly always held inside its namespace).
  Attribution Resolve(std::span<const std::uint64_t> inodes,
                      ResolveStats& stats,
                      std::span<const int> likely_pids = {});

 private:
  using InodeSet = std::unordered_set<std::uint64_t>;

  bool StillValid(int pid, const ProcessRecord& owner);
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
  void ClaimSnapshot(const std::vector<FdTable>& tables,
                     std::span<const int> likely,
                     std::span<const int> skip,
                     InodeSet& wanted,
                     Attribution& found,
                     ResolveStats& stats);
  std::vector<int> OtherPids(const std::vector<int>& exclude, ResolveStats& stats);
  void PreferTopHolders(Attribution& found);
  int TopHolder(std::uint64_t inode,
                int pid,
                std::unordered_map<int, std::vector<std::uint64_t>>& parent_sockets);

  std::unique_ptr<ProcessReader> reader_;
  DeferredFdWalker walker_;
  std::unordered_map<std::uint64_t, SocketOwner> owner_pid_;  // inode -> owner
  std::unordered_map<int, ProcessRecord> owners_;             // pid -> process details
  InodeSet unattributable_;
  std::vector<std::uint64_t> fresh_claims_;  // claimed by a walk during this Resolve()
  int calls_ = 0;
};

}  // namespace portwarden::inventory
