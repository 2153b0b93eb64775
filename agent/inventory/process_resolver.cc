#include "agent/inventory/process_resolver.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "agent/inventory/proc_text.h"
#include "agent/inventory/unique_fd.h"

namespace portwarden::inventory {
namespace {

constexpr int kNegativeRetryEvery = 10;

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

long long FdCount(const std::string& fd_dir) {
  struct stat st {};

  return ::stat(fd_dir.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

}  // namespace

bool ProcessResolver::LoadOwner(int pid, Owner& owner) const {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  if (!stat_text) {
    return false;
  }
  owner.start_time = StartTimeFromStat(*stat_text);
  owner.fd_count = FdCount(dir + "/fd");
  owner.info.pid = pid;
  owner.info.comm = ReadSmallFile(dir + "/comm").value_or("");
  if (!owner.info.comm.empty() && owner.info.comm.back() == '\n') {
    owner.info.comm.pop_back();
  }
  owner.info.exe = ReadLink(dir + "/exe").value_or("");
  owner.info.unit = UnitFromCgroup(ReadSmallFile(dir + "/cgroup").value_or(""));
  owner.info.holder_count = 1;
  return true;
}

bool ProcessResolver::StillValid(int pid, const Owner& owner) const {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  return stat_text && StartTimeFromStat(*stat_text) == owner.start_time &&
         FdCount(dir + "/fd") == owner.fd_count && owner.fd_count > 0;
}

void ProcessResolver::Revalidate(InodeSet& wanted,
                                 std::unordered_map<std::uint64_t, ProcessInfo>& found,
                                 ResolveStats& stats) {
  std::unordered_map<int, bool> valid;  // one check per pid per call
  for (auto it = wanted.begin(); it != wanted.end();) {
    const auto owner = owner_pid_.find(*it);
    if (owner == owner_pid_.end()) {
      ++it;
      continue;
    }
    const int pid = owner->second;
    auto [entry, inserted] = valid.try_emplace(pid, false);
    if (inserted) {
      entry->second = owners_.contains(pid) && StillValid(pid, owners_[pid]);
    }
    if (!entry->second) {
      owner_pid_.erase(owner);
      ++it;
      continue;
    }
    found[*it] = owners_[pid].info;
    ++stats.cache_hits;
    it = wanted.erase(it);
  }
  std::erase_if(owners_,
                [&](const auto& kv) { return valid.contains(kv.first) && !valid[kv.first]; });
}

// Reads one process's fd table and claims every wanted socket inode in it.
void ProcessResolver::ScanProcess(int pid,
                                  InodeSet& wanted,
                                  std::unordered_map<std::uint64_t, ProcessInfo>& found,
                                  ResolveStats& stats) {
  const std::string fd_dir = proc_path_ + "/" + std::to_string(pid) + "/fd";
  UniqueFd dir_fd(::open(fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    ++(errno == ENOENT ? stats.processes_vanished : stats.proc_errors);
    return;
  }
  ++stats.processes_scanned;
  DIR* dir = ::fdopendir(::dup(dir_fd.get()));
  if (dir == nullptr) {
    ++stats.proc_errors;
    return;
  }
  std::vector<std::uint64_t> claimed;
  bool denied = false;
  char link[64];
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    ++stats.fds_read;
    const ssize_t n = ::readlinkat(dir_fd.get(), entry->d_name, link, sizeof(link));
    denied = denied || (n < 0 && errno == EACCES);
    const auto inode = n > 0 ? SocketInode({link, static_cast<std::size_t>(n)}) : 0;
    if (inode != 0 && wanted.contains(inode)) {
      claimed.push_back(inode);
    } else if (inode != 0 && found.contains(inode) && found[inode].pid != pid) {
      ++found[inode].holder_count;  // a pre-fork sibling holding the same socket
    }
  }
  ::closedir(dir);
  stats.proc_errors += denied ? 1 : 0;  // an LSM or ptrace check hid this process's fds
  if (claimed.empty()) {
    return;
  }
  Owner owner;
  if (!LoadOwner(pid, owner)) {
    ++stats.processes_vanished;
    return;
  }
  for (const auto inode : claimed) {
    found[inode] = owner.info;
    owner_pid_[inode] = pid;
    wanted.erase(inode);
  }
  owners_[pid] = std::move(owner);
}

// Previous owners first (a restarted socket usually stays in its process), then every pid.
void ProcessResolver::Scan(InodeSet& wanted,
                           std::unordered_map<std::uint64_t, ProcessInfo>& found,
                           ResolveStats& stats) {
  std::vector<int> first;
  for (const auto& [pid, owner] : owners_) {
    first.push_back(pid);
  }
  std::sort(first.begin(), first.end());
  for (const int pid : first) {
    if (wanted.empty()) {
      return;
    }
    ScanProcess(pid, wanted, found, stats);
  }
  DIR* dir = ::opendir(proc_path_.c_str());
  if (dir == nullptr) {
    ++stats.proc_errors;
    return;
  }
  std::vector<int> pids;  // ascending, so the canonical owner is the lowest pid (the parent)
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid > 0 && *end == '\0' && !std::binary_search(first.begin(), first.end(), pid)) {
      pids.push_back(static_cast<int>(pid));
    }
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  for (const int pid : pids) {
    if (wanted.empty()) {
      break;
    }
    ScanProcess(pid, wanted, found, stats);
  }
}

std::unordered_map<std::uint64_t, ProcessInfo> ProcessResolver::Resolve(
    std::span<const std::uint64_t> inodes, ResolveStats& stats) {
  std::unordered_map<std::uint64_t, ProcessInfo> found;
  InodeSet wanted(inodes.begin(), inodes.end());
  Revalidate(wanted, found, stats);
  const bool retry_negative = ++calls_ % kNegativeRetryEvery == 0;
  const bool any_new = std::any_of(wanted.begin(), wanted.end(),
                                   [&](auto inode) { return !unattributable_.contains(inode); });
  if (any_new || retry_negative) {
    Scan(wanted, found, stats);
    unattributable_ = wanted;
  }
  stats.unattributed = static_cast<int>(wanted.size());
  // Forget owners of sockets that are gone, so the cache tracks only live listeners.
  std::erase_if(owner_pid_, [&](const auto& kv) { return !found.contains(kv.first); });
  std::unordered_set<int> live;
  for (const auto& [inode, info] : found) {
    live.insert(info.pid);
  }
  std::erase_if(owners_, [&](const auto& kv) { return !live.contains(kv.first); });
  return found;
}

std::string UnitFromCgroup(std::string_view cgroup_text) {
  // Prefer the cgroup v2 line ("0::/path"), else the systemd v1 hierarchy.
  std::string_view path;
  while (!cgroup_text.empty()) {
    const auto end = std::min(cgroup_text.find('\n'), cgroup_text.size());
    const auto line = cgroup_text.substr(0, end);
    cgroup_text.remove_prefix(std::min(end + 1, cgroup_text.size()));
    if (line.starts_with("0::") || (path.empty() && line.find(":name=systemd:") != line.npos)) {
      path = line.substr(line.find(':', line.find(':') + 1) + 1);
    }
  }
  return UnitFromCgroupPath(path);
}

unsigned long long StartTimeFromStat(std::string_view stat_text) {
  const auto paren = stat_text.rfind(')');
  if (paren == std::string_view::npos) {
    return 0;
  }
  // Fields after "(comm)" start at field 3 (state); starttime is field 22.
  std::string_view rest = stat_text.substr(paren + 1);
  for (int field = 3; field < 22; ++field) {
    const auto space = rest.find(' ', 1);
    if (space == std::string_view::npos) {
      return 0;
    }
    rest.remove_prefix(space);
  }
  rest.remove_prefix(std::min<std::size_t>(1, rest.size()));
  unsigned long long value = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

}  // namespace portwarden::inventory
