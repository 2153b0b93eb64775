#include "agent/inventory/process_resolver.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <iterator>
#include <system_error>
#include <thread>

#include "agent/core/text_sanitize.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/proc_text.h"

namespace portwarden::inventory {
namespace {

constexpr int kNegativeRetryEvery = 10;
// Below this many wanted inodes (every warm cycle) the fd walk stays on one thread.
constexpr std::size_t kParallelMinInodes = 512;
// Pids whose fd tables are read ahead per batch in a parallel walk.
constexpr std::size_t kParallelBatch = 32;

// "socket:[12345]" -> 12345; 0 for anything else.
std::uint64_t SocketInode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) {
    return 0;
  }
  std::uint64_t inode = 0;
  const auto digits = link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1);
  std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  return inode;
}

// Fast path of ReadSocketInodes: readlinkat of fds 0, 1, 2, ... by number, without listing
// the directory (getdents of /proc/<pid>/fd instantiates every fd's dentry before readlinkat
// looks each up again: about a fifth of the walk). The fstat size of the directory is the
// number of open fds (Linux 6.2+; 0 before), so probing stops once that many were found.
// False, with `table` untouched, when the table is sparse (more than 4 + found/8 holes),
// a readlink fails otherwise than ENOENT, or the count is unknown: then it is listed.
bool ReadDenseSocketInodes(int dir_fd, FdTable& table) {
  struct stat st {};

  struct statfs fs {};

  // Only procfs gives that size meaning (a fixture tree's directory size is something else).
  if (::fstatfs(dir_fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC || ::fstat(dir_fd, &st) != 0 ||
      st.st_size <= 0) {
    return false;
  }
  const long long open_fds = st.st_size;
  long long found = 0;
  long long holes = 0;
  std::vector<std::uint64_t> inodes;
  char name[24];
  char link[64];
  for (int fd = 0; found < open_fds; ++fd) {
    *std::to_chars(name, name + sizeof(name) - 1, fd).ptr = '\0';
    const ssize_t n = ::readlinkat(dir_fd, name, link, sizeof(link));
    if (n < 0) {
      if (errno != ENOENT || ++holes > 4 + found / 8) {
        return false;
      }
      continue;
    }
    ++found;
    if (const auto inode = SocketInode({link, static_cast<std::size_t>(n)})) {
      inodes.push_back(inode);
    }
  }
  table.fds_read += static_cast<int>(found);
  table.inodes.insert(table.inodes.end(), inodes.begin(), inodes.end());
  return true;
}

// Every socket inode in one process's fd directory (one readlinkat per fd: the cost that
// dominates a cold scan). A denied readlink (ptrace or LSM check) counts as a /proc error.
void ReadSocketInodes(int dir_fd, FdTable& table) {
  if (ReadDenseSocketInodes(dir_fd, table)) {
    return;
  }
  DIR* dir = ::fdopendir(::dup(dir_fd));
  if (dir == nullptr) {
    ++table.errors;
    return;
  }
  bool denied = false;
  char link[64];
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    ++table.fds_read;
    const ssize_t n = ::readlinkat(dir_fd, entry->d_name, link, sizeof(link));
    denied = denied || (n < 0 && errno == EACCES);
    if (const auto inode = n > 0 ? SocketInode({link, static_cast<std::size_t>(n)}) : 0) {
      table.inodes.push_back(inode);
    }
  }
  ::closedir(dir);
  table.errors += denied ? 1 : 0;
}

FdTable ReadFdTable(const std::string& proc_path, int pid) {
  FdTable table;
  table.pid = pid;
  const std::string fd_dir = proc_path + "/" + std::to_string(pid) + "/fd";
  UniqueFd dir_fd(::open(fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    ++(errno == ENOENT ? table.vanished : table.errors);
    return table;
  }
  table.opened = true;
  ReadSocketInodes(dir_fd.get(), table);
  return table;
}

// The fd tables of `pids`, in order; read by this thread and one helper when `parallel`
// (the readlinkat calls are independent, so two cores halve a cold scan's wall time).
std::vector<FdTable> ReadFdTables(const std::string& proc_path,
                                  std::span<const int> pids,
                                  bool parallel) {
  std::vector<FdTable> tables(pids.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < pids.size(); i = next++) {
      tables[i] = ReadFdTable(proc_path, pids[i]);
    }
  };
  {
    std::jthread helper;  // joined at the end of this block
    if (parallel && pids.size() > 1) {
      try {
        helper = std::jthread(work);
      } catch (const std::system_error&) {
        // No thread to be had: this one reads every table.
      }
    }
    work();
  }
  return tables;
}

// Pids under `proc_path` not in `exclude` (sorted), ascending.
std::vector<int> ListPids(const std::string& proc_path,
                          const std::vector<int>& exclude,
                          ResolveStats& stats) {
  std::vector<int> pids;
  DIR* dir = ::opendir(proc_path.c_str());
  if (dir == nullptr) {
    ++stats.proc_errors;
    return pids;
  }
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid > 0 && *end == '\0' && !std::binary_search(exclude.begin(), exclude.end(), pid)) {
      pids.push_back(static_cast<int>(pid));
    }
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

// `pids` (ascending) with PID 1 moved to the end: a socket systemd passed to a service is
// claimed by the service when it runs, and by PID 1 only when nothing else holds it.
std::vector<int> InitLast(std::vector<int> pids) {
  if (!pids.empty() && pids.front() == 1) {
    pids.erase(pids.begin());
    pids.push_back(1);
  }
  return pids;
}

long long FdCount(const std::string& fd_dir) {
  struct stat st {};

  return ::stat(fd_dir.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
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

bool ProcessResolver::LoadOwner(int pid, Owner& owner) const {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  if (!stat_text) {
    return false;
  }
  owner.start_time = StartTimeFromStat(*stat_text);
  owner.ppid = ParentPidFromStat(*stat_text);
  owner.fd_count = FdCount(dir + "/fd");
  owner.info.pid = pid;
  owner.info.comm = ReadSmallFile(dir + "/comm").value_or("");
  if (!owner.info.comm.empty() && owner.info.comm.back() == '\n') {
    owner.info.comm.pop_back();
  }
  owner.info.exe = ReadLink(dir + "/exe").value_or("");
  owner.info.unit = UnitFromCgroup(ReadSmallFile(dir + "/cgroup").value_or(""));
  owner.info.comm = text::Sanitize(owner.info.comm, text::Kind::kProcessName);
  owner.info.exe = text::Sanitize(owner.info.exe, text::Kind::kExePath);
  owner.info.unit = text::Sanitize(owner.info.unit, text::Kind::kUnit);
  owner.info.holder_count = 1;
  return true;
}

bool ProcessResolver::StillValid(int pid, const Owner& owner) const {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  return stat_text && StartTimeFromStat(*stat_text) == owner.start_time &&
         FdCount(dir + "/fd") == owner.fd_count && owner.fd_count > 0;
}

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
  Owner owner;
  if (!LoadOwner(pid, owner)) {
    ++stats.processes_vanished;
    return;
  }
  for (const auto inode : claimed) {
    found.sockets[inode] = SocketOwner{pid, 1};
    wanted.erase(inode);
    fresh_claims_.push_back(inode);
  }
  found.processes[pid] = owner.info;
  owners_[pid] = std::move(owner);
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
  if (auto tables = TakeSnapshot(prefetched)) {
    stats.walk = "bpf";
    ClaimSnapshot(*tables, likely, previous, wanted, found, stats);
    if (!prefetched || wanted.empty()) {
      return;
    }
    if (auto fresh = TakeSnapshot(prefetched)) {  // sockets opened after the prefetch
      ClaimSnapshot(OnlyWanted(*fresh, wanted), likely, previous, wanted, found, stats);
      return;
    }
  }
  stats.walk = "procfs";
  ScanPids(InitLast(likely), wanted, found, stats);
  if (wanted.empty()) {
    return;
  }
  ScanPids(InitLast(ListPids(proc_path_, visited, stats)), wanted, found, stats);
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

void ProcessResolver::PrefetchWalk() {
  if (bpf_state_ == kOff || bpf_state_ == kFailed || prefetched_.valid()) {
    return;
  }
  try {
    prefetched_ = std::async(std::launch::async, [this] { return WalkNow(); });
  } catch (const std::system_error&) {
    // No thread to be had: the walk runs when Resolve() needs it.
  }
}

// The prefetched snapshot when there is one (`prefetched` = true), else a fresh BPF walk.
std::optional<std::vector<FdTable>> ProcessResolver::TakeSnapshot(bool& prefetched) {
  prefetched = prefetched_.valid();
  return prefetched ? prefetched_.get() : WalkNow();
}

// One BPF walk (loading the walker the first time); nullopt when BPF is off or failed (this
// scan then walks /proc; a failed walk is retried by the next scan).
std::optional<std::vector<FdTable>> ProcessResolver::WalkNow() {
  const auto* walker = Walker();
  if (walker == nullptr) {
    return std::nullopt;
  }
  auto tables = walker->Walk();
  if (!tables) {
    bpf_unavailable_ = tables.error();
    return std::nullopt;
  }
  return std::move(*tables);
}

const BpfFdWalker* ProcessResolver::Walker() {
  if (bpf_state_ == kUntried) {
    auto walker = BpfFdWalker::Create();
    if (walker) {
      bpf_ = std::move(*walker);
      bpf_state_ = kReady;
    } else {
      bpf_unavailable_ = walker.error();
      bpf_state_ = kFailed;
    }
  }
  return bpf_state_ == kReady ? bpf_.get() : nullptr;
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
    for (const auto& table : ReadFdTables(proc_path_, chunk, parallel)) {
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
      it->second = ReadFdTable(proc_path_, parent).inodes;
      std::sort(it->second.begin(), it->second.end());
    }
    if (!std::binary_search(it->second.begin(), it->second.end(), inode)) {
      return pid;
    }
    if (!owners_.contains(parent)) {
      Owner loaded;
      if (!LoadOwner(parent, loaded)) {
        return pid;
      }
      owners_[parent] = std::move(loaded);
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
  if (prefetched_.valid()) {
    prefetched_.get();  // not needed after all; the walker state is ours again
  }
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
