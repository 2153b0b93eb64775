#include "agent/inventory/process_resolver.h"

#include <algorithm>
#include <iterator>

namespace portwarden::inventory {
namespace {

constexpr int kNegativeRetryEvery = 10;
// Below this many wanted inodes (every warm cycle) the fd walk stays on one thread.
constexpr std::size_t kParallelMinInodes = 512;
// Pids whose fd tables are read ahead per batch in a parallel walk.
constexpr std::size_t kParallelBatch = 32;

// `pids` (ascending) with PID 1 moved to the end: a socket systemd passed to a service is
// claimed by the service when it runs, and by PID 1 only when nothing else holds it.
std::vector<int> InitLast(std::vector<int> pids) {
  if (!pids.empty() && pids.front() == 1) {
    pids.erase(pids.begin());
    pids.push_back(1);
  }
  return pids;
}

// `tables` reduced to the inodes still wanted (a second snapshot must not count the
// holders of already claimed sockets twice).
std::vector<FdTable> OnlyWanted(std::vector<FdTable>& tables,
                                const std::unordered_set<std::uint64_t>& wanted) {
  std::vector<FdTable> kept;
  for (auto& table : tables) {
    std::erase_if(table.inodes, [&](std::uint64_t inode) { return !wanted.contains(inode); });
    if (!table.inodes.empty()) {
      table.fds_read = 0;  // counted with the first snapshot
      kept.push_back(std::move(table));
    }
  }
  return kept;
}

}  // namespace

// Same process (start time), same fd table size: the cached claims still hold.
bool ProcessResolver::StillValid(int pid, const ProcessRecord& owner) {
  const auto stamp = reader_->ReadStamp(pid);
  return stamp && stamp->start_time == owner.stamp.start_time &&
         stamp->fd_count == owner.stamp.fd_count && owner.stamp.fd_count > 0;
}

// Cached owners still valid answer their inodes; the others are forgotten.
void ProcessResolver::Revalidate(InodeSet& wanted, Attribution& found, ResolveStats& stats) {
  std::unordered_map<int, bool> valid;  // one check per pid per call
  for (auto it = wanted.begin(); it != wanted.end();) {
    const auto owner = owner_pid_.find(*it);
    if (owner == owner_pid_.end()) {
      ++it;
      continue;
    }
    const int pid = owner->second.pid;
    auto [entry, inserted] = valid.try_emplace(pid, false);
    if (inserted) {
      const auto cached = owners_.find(pid);
      entry->second = cached != owners_.end() && StillValid(pid, cached->second);
      if (entry->second) {
        found.processes[pid] = cached->second.info;
      }
    }
    if (!entry->second) {
      owner_pid_.erase(owner);
      ++it;
      continue;
    }
    found.sockets[*it] = owner->second;
    ++stats.cache_hits;
    it = wanted.erase(it);
  }
  std::erase_if(owners_,
                [&](const auto& kv) { return valid.contains(kv.first) && !valid[kv.first]; });
}

// Claims every wanted socket inode in one process's fd table.
void ProcessResolver::Claim(const FdTable& table,
                            InodeSet& wanted,
                            Attribution& found,
                            ResolveStats& stats) {
  const int pid = table.pid;
  stats.processes_vanished += table.vanished;
  stats.proc_errors += table.errors;
  stats.fds_read += table.fds_read;
  if (!table.opened) {
    return;
  }
  ++stats.processes_scanned;
  std::vector<std::uint64_t> claimed;
  for (const auto inode : table.inodes) {
    if (wanted.contains(inode)) {
      claimed.push_back(inode);
      continue;
    }
    const auto known = found.sockets.find(inode);
    if (known != found.sockets.end() && known->second.pid != pid) {
      ++known->second.holders;  // a pre-fork sibling holding the same socket
    }
  }
  if (claimed.empty()) {
    return;
  }
  auto owner = reader_->ReadProcess(pid);
  if (!owner) {
    ++stats.processes_vanished;
    return;
  }
  for (const auto inode : claimed) {
    found.sockets[inode] = SocketOwner{pid, 1};
    wanted.erase(inode);
    fresh_claims_.push_back(inode);
  }
  found.processes[pid] = owner->info;
  owners_[pid] = std::move(*owner);
}

// Previous owners first (a restarted socket usually stays in its process), then the likely
// pids, then every other pid in ascending order, PID 1 last; PreferTopHolders() then moves
// each socket to its top-most holder.
void ProcessResolver::Scan(InodeSet& wanted,
                           std::span<const int> likely_pids,
                           Attribution& found,
                           ResolveStats& stats) {
  std::vector<int> first;
  for (const auto& [pid, owner] : owners_) {
    first.push_back(pid);
  }
  std::sort(first.begin(), first.end());
  std::vector<int> likely(likely_pids.begin(), likely_pids.end());
  std::sort(likely.begin(), likely.end());
  std::vector<int> visited;
  std::set_union(first.begin(), first.end(), likely.begin(), likely.end(),
                 std::back_inserter(visited));
  std::vector<int> previous;
  std::set_difference(first.begin(), first.end(), likely.begin(), likely.end(),
                      std::back_inserter(previous));
  ScanPids(previous, wanted, found, stats);
  if (wanted.empty()) {
    return;
  }
  bool prefetched = false;
  if (auto tables = walker_.Take(prefetched)) {
    stats.walk = "bpf";
    ClaimSnapshot(*tables, likely, previous, wanted, found, stats);
    if (!prefetched || wanted.empty()) {
      return;
    }
    if (auto fresh = walker_.Take(prefetched)) {  // sockets opened after the prefetch
      ClaimSnapshot(OnlyWanted(*fresh, wanted), likely, previous, wanted, found, stats);
      return;
    }
  }
  stats.walk = "procfs";
  ScanPids(InitLast(likely), wanted, found, stats);
  if (wanted.empty()) {
    return;
  }
  ScanPids(InitLast(OtherPids(visited, stats)), wanted, found, stats);
}

// The BPF walk's tables (every process holding a socket, ascending pid) claimed in the order
// of the /proc walk: likely pids first, then the others; `skip` was walked already.
void ProcessResolver::ClaimSnapshot(const std::vector<FdTable>& tables,
                                    std::span<const int> likely,
                                    std::span<const int> skip,
                                    InodeSet& wanted,
                                    Attribution& found,
                                    ResolveStats& stats) {
  const auto in = [](std::span<const int> pids, int pid) {
    return std::binary_search(pids.begin(), pids.end(), pid);
  };
  const FdTable* init = nullptr;  // claimed last, as in InitLast()
  for (const bool likely_pass : {true, false}) {
    for (const auto& table : tables) {
      if (wanted.empty()) {
        return;
      }
      if (table.pid == 1) {
        init = in(skip, 1) ? nullptr : &table;
      } else if (in(likely, table.pid) == likely_pass && !in(skip, table.pid)) {
        Claim(table, wanted, found, stats);
      }
    }
  }
  if (init != nullptr && !wanted.empty()) {
    Claim(*init, wanted, found, stats);
  }
}

// Every pid not in `exclude` (sorted), ascending; a process list that cannot be read counts
// as a /proc error.
std::vector<int> ProcessResolver::OtherPids(const std::vector<int>& exclude, ResolveStats& stats) {
  auto pids = reader_->ListPids();
  if (!pids) {
    ++stats.proc_errors;
    return {};
  }
  std::erase_if(*pids,
                [&](int pid) { return std::binary_search(exclude.begin(), exclude.end(), pid); });
  return std::move(*pids);
}

// Visits `pids` in order until every wanted inode is found. A cold scan with many wanted
// inodes reads the fd tables a batch at a time on two threads; claiming stays sequential,
// in pid order, so the result is the same as a one-by-one scan.
void ProcessResolver::ScanPids(std::span<const int> pids,
                               InodeSet& wanted,
                               Attribution& found,
                               ResolveStats& stats) {
  const bool parallel = wanted.size() >= kParallelMinInodes;
  const std::size_t batch = parallel ? kParallelBatch : 1;
  for (std::size_t i = 0; i < pids.size() && !wanted.empty(); i += batch) {
    const auto chunk = pids.subspan(i, std::min(batch, pids.size() - i));
    for (const auto& table : reader_->ReadFdTables(chunk, parallel)) {
      if (wanted.empty()) {
        break;
      }
      Claim(table, wanted, found, stats);
    }
  }
}

// The top-most process holding `inode`, climbing from `pid` through parents that hold it
// too (each parent's fd table read once per Resolve, kept in `parent_sockets`, sorted).
int ProcessResolver::TopHolder(
    std::uint64_t inode,
    int pid,
    std::unordered_map<int, std::vector<std::uint64_t>>& parent_sockets) {
  constexpr int kMaxDepth = 8;  // a pid cycle cannot happen, but bound the walk anyway
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    const auto owner = owners_.find(pid);
    const int parent = owner == owners_.end() ? 0 : owner->second.ppid;
    if (parent <= 1) {
      return pid;
    }
    auto [it, inserted] = parent_sockets.try_emplace(parent);
    if (inserted) {
      it->second = std::move(reader_->ReadFdTables({&parent, 1}, false).front().inodes);
      std::sort(it->second.begin(), it->second.end());
    }
    if (!std::binary_search(it->second.begin(), it->second.end(), inode)) {
      return pid;
    }
    if (!owners_.contains(parent)) {
      auto loaded = reader_->ReadProcess(parent);
      if (!loaded) {
        return pid;
      }
      owners_[parent] = std::move(*loaded);
    }
    pid = parent;
  }
  return pid;
}

// Moves each socket claimed by this call's walk to its top-most holder (see the class
// comment). Cached owners were moved when first claimed.
void ProcessResolver::PreferTopHolders(Attribution& found) {
  std::unordered_map<int, std::vector<std::uint64_t>> parent_sockets;
  for (const auto inode : fresh_claims_) {
    auto& owner = found.sockets[inode];
    const int top = TopHolder(inode, owner.pid, parent_sockets);
    if (top != owner.pid) {
      owner.pid = top;
      owner.holders = std::max(owner.holders, 2);
      found.processes[top] = owners_[top].info;
    }
  }
  fresh_claims_.clear();
}

Attribution ProcessResolver::Resolve(std::span<const std::uint64_t> inodes,
                                     ResolveStats& stats,
                                     std::span<const int> likely_pids) {
  Attribution found;
  found.sockets.reserve(inodes.size());  // no rehashing while thousands are claimed
  InodeSet wanted(inodes.begin(), inodes.end());
  Revalidate(wanted, found, stats);
  const bool retry_negative = ++calls_ % kNegativeRetryEvery == 0;
  const bool any_new = std::any_of(wanted.begin(), wanted.end(),
                                   [&](auto inode) { return !unattributable_.contains(inode); });
  if (any_new || retry_negative) {
    Scan(wanted, likely_pids, found, stats);
    unattributable_ = wanted;
  }
  walker_.Discard();  // a prefetched walk not needed after all
  PreferTopHolders(found);
  stats.unattributed = static_cast<int>(wanted.size());
  // The cache tracks only live listeners and their owners.
  owner_pid_ = found.sockets;
  std::erase_if(owners_, [&](const auto& kv) { return !found.processes.contains(kv.first); });
  return found;
}

std::optional<ProcessInfo> Attribution::Find(std::uint64_t inode) const {
  const auto socket = sockets.find(inode);
  if (socket == sockets.end()) {
    return std::nullopt;
  }
  const auto process = processes.find(socket->second.pid);
  if (process == processes.end()) {
    return std::nullopt;
  }
  ProcessInfo info = process->second;
  info.holder_count = socket->second.holders;
  return info;
}

}  // namespace portwarden::inventory
