#include "agent/inventory/procfs_fd_walker.h"

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
#include <system_error>
#include <thread>

#include "agent/core/text_sanitize.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/proc_text.h"

namespace portwarden::inventory {
namespace {

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
std::vector<FdTable> ReadTables(const std::string& proc_path,
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

long long FdCount(const std::string& fd_dir) {
  struct stat st {};

  return ::stat(fd_dir.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : -1;
}

}  // namespace

std::vector<FdTable> ProcfsFdWalker::ReadFdTables(std::span<const int> pids, bool parallel) {
  return ReadTables(proc_path_, pids, parallel);
}

// Every numeric entry of the /proc tree, ascending.
std::optional<std::vector<int>> ProcfsFdWalker::ListPids() {
  DIR* dir = ::opendir(proc_path_.c_str());
  if (dir == nullptr) {
    return std::nullopt;
  }
  std::vector<int> pids;
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (pid > 0 && *end == '\0') {
      pids.push_back(static_cast<int>(pid));
    }
  }
  ::closedir(dir);
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::optional<ProcessRecord> ProcfsFdWalker::ReadProcess(int pid) {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  if (!stat_text) {
    return std::nullopt;
  }
  ProcessRecord record;
  record.stamp.start_time = StartTimeFromStat(*stat_text);
  record.ppid = ParentPidFromStat(*stat_text);
  record.stamp.fd_count = FdCount(dir + "/fd");
  auto& info = record.info;
  info.pid = pid;
  info.comm = ReadSmallFile(dir + "/comm").value_or("");
  if (!info.comm.empty() && info.comm.back() == '\n') {
    info.comm.pop_back();
  }
  info.exe = ReadLink(dir + "/exe").value_or("");
  info.unit = UnitFromCgroup(ReadSmallFile(dir + "/cgroup").value_or(""));
  info.comm = text::Sanitize(info.comm, text::Kind::kProcessName);
  info.exe = text::Sanitize(info.exe, text::Kind::kExePath);
  info.unit = text::Sanitize(info.unit, text::Kind::kUnit);
  info.holder_count = 1;
  return record;
}

std::optional<ProcessStamp> ProcfsFdWalker::ReadStamp(int pid) {
  const std::string dir = proc_path_ + "/" + std::to_string(pid);
  const auto stat_text = ReadSmallFile(dir + "/stat");
  if (!stat_text) {
    return std::nullopt;
  }
  return ProcessStamp{StartTimeFromStat(*stat_text), FdCount(dir + "/fd")};
}

}  // namespace portwarden::inventory
