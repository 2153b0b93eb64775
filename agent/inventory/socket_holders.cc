#include "agent/inventory/socket_holders.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <optional>
#include <string_view>

#include "agent/core/text_sanitize.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/proc_text.h"

namespace portwarden::inventory {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

using UniqueDir = std::unique_ptr<DIR, DirCloser>;

std::optional<int> Number(std::string_view name) {
  int value = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc() || end != name.data() + name.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

// "socket:[12345]" -> 12345.
std::optional<std::uint64_t> SocketInode(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) {
    return std::nullopt;
  }
  std::uint64_t inode = 0;
  const char* first = link.data() + kPrefix.size();
  const char* last = link.data() + link.size() - 1;
  const auto [end, ec] = std::from_chars(first, last, inode);
  return ec == std::errc() && end == last ? std::optional(inode) : std::nullopt;
}

// The wanted socket inodes process `pid` holds, each once.
std::set<std::uint64_t> HeldInodes(int proc_fd, int pid, const std::set<std::uint64_t>& inodes) {
  std::set<std::uint64_t> held;
  const std::string fd_dir = std::to_string(pid) + "/fd";
  UniqueFd dir_fd(::openat(proc_fd, fd_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return held;
  }
  UniqueDir dir(::fdopendir(dir_fd.get()));
  if (!dir) {
    return held;
  }
  dir_fd.Release();  // the DIR owns it now
  while (const dirent* entry = ::readdir(dir.get())) {
    char link[64];
    const ssize_t n = ::readlinkat(::dirfd(dir.get()), entry->d_name, link, sizeof(link));
    if (n <= 0 || n == sizeof(link)) {
      continue;
    }
    if (auto inode = SocketInode(std::string_view(link, static_cast<std::size_t>(n)));
        inode && inodes.contains(*inode)) {
      held.insert(*inode);
    }
  }
  return held;
}

}  // namespace

long ProcessUid(const std::string& proc_path, int pid) {
  struct stat st {};

  if (::stat((proc_path + "/" + std::to_string(pid)).c_str(), &st) != 0) {
    return -1;
  }
  return static_cast<long>(st.st_uid);
}

std::map<std::uint64_t, std::vector<SocketHolder>> FindSocketHolders(
    const std::string& proc_path, const std::set<std::uint64_t>& inodes) {
  std::map<std::uint64_t, std::vector<SocketHolder>> holders;
  UniqueFd proc_fd(::open(proc_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueDir proc(proc_fd.valid() ? ::opendir(proc_path.c_str()) : nullptr);
  if (!proc || inodes.empty()) {
    return holders;
  }
  std::set<int> pids;  // readdir order is not numeric
  while (const dirent* entry = ::readdir(proc.get())) {
    if (auto pid = Number(entry->d_name)) {
      pids.insert(*pid);
    }
  }
  for (const int pid : pids) {
    const std::set<std::uint64_t> held = HeldInodes(proc_fd.get(), pid, inodes);
    if (held.empty()) {
      continue;
    }
    SocketHolder holder;
    holder.pid = pid;
    const long uid = ProcessUid(proc_path, pid);
    holder.uid = uid < 0 ? 0 : static_cast<uid_t>(uid);
    auto comm = ReadSmallFile(proc_path + "/" + std::to_string(pid) + "/comm");
    std::string name = comm ? *comm : "";
    if (!name.empty() && name.back() == '\n') {
      name.pop_back();
    }
    holder.comm = text::Sanitize(name, text::Kind::kProcessName);
    for (const std::uint64_t inode : held) {
      holders[inode].push_back(holder);
    }
  }
  return holders;
}

}  // namespace portwarden::inventory
