#include "agent/inventory/borrowed_socket.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "agent/core/unique_fd.h"
#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

// The fd number under which `pid` holds socket `inode`; -1 when it does not (any more).
int FdOfInode(const std::string& proc_path, int pid, std::uint64_t inode) {
  const std::string dir_path = proc_path + "/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(dir_path.c_str());
  if (dir == nullptr) {
    return -1;
  }
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  char link[64];
  int found = -1;
  while (const dirent* entry = ::readdir(dir)) {
    const ssize_t n = ::readlinkat(::dirfd(dir), entry->d_name, link, sizeof(link));
    if (n > 0 && std::string_view(link, static_cast<std::size_t>(n)) == wanted) {
      found = std::atoi(entry->d_name);
      break;
    }
  }
  ::closedir(dir);
  return found;
}

}  // namespace

std::optional<bool> BorrowedV6Only(const std::string& proc_path, int pid, std::uint64_t inode) {
  const int target_fd = FdOfInode(proc_path, pid, inode);
  if (target_fd < 0) {
    return std::nullopt;
  }
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd.valid()) {
    return std::nullopt;
  }
  UniqueFd socket(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), target_fd, 0)));
  if (!socket.valid()) {
    return std::nullopt;
  }

  // The fd number may have been reused between the readlink and the copy: check the inode.
  struct stat st {};

  int v6only = 0;
  socklen_t size = sizeof(v6only);
  if (::fstat(socket.get(), &st) != 0 || st.st_ino != inode ||
      ::getsockopt(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &size) != 0) {
    return std::nullopt;
  }
  return v6only != 0;
}

int RefineV6Only(std::span<Listener> listeners,
                 std::span<const NamespaceDump> dumps,
                 std::span<const std::uint64_t> proc_netns,
                 std::span<const config::ZoneOverride> zones,
                 const std::string& proc_path) {
  int unknown = 0;
  for (auto& listener : listeners) {
    if (listener.family != AddressFamily::kIpv6 || listener.address != "::" ||
        listener.v6only.has_value() ||
        std::find(proc_netns.begin(), proc_netns.end(), listener.netns_inode) == proc_netns.end()) {
      continue;
    }
    if (listener.process.pid != 0 && !listener.inodes.empty()) {
      listener.v6only = BorrowedV6Only(proc_path, listener.process.pid, listener.inodes.front());
    }
    if (!listener.v6only) {
      ++unknown;
      continue;
    }
    const auto dump = std::find_if(dumps.begin(), dumps.end(), [&](const NamespaceDump& d) {
      return d.netns.inode == listener.netns_inode;
    });
    if (dump != dumps.end()) {
      listener.scope = BindScope(IpAddress{AddressFamily::kIpv6, {}}, *listener.v6only,
                                 listener.interface, dump->interfaces.addresses, zones);
    }
  }
  return unknown;
}

}  // namespace portwarden::inventory
