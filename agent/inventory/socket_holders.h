#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace portwarden::inventory {

/// One process holding a socket open.
struct SocketHolder {
  int pid = 0;
  uid_t uid = 0;     ///< owner of /proc/<pid> (the process's effective uid)
  std::string comm;  ///< sanitized /proc/<pid>/comm
};

/// Every process that holds one of `inodes` open, by inode, pids ascending: what
/// `portwarden scan` shows for a socket shared by a pre-fork server's workers (the inventory
/// itself keeps only the top-most holder and a count). One walk of `proc_path`/*/fd, as lsof
/// does; processes that vanish meanwhile or cannot be read are skipped. Thread-safe.
std::map<std::uint64_t, std::vector<SocketHolder>> FindSocketHolders(
    const std::string& proc_path, const std::set<std::uint64_t>& inodes);

/// The uid that owns /proc/<pid>, nullopt-like -1 when it cannot be read.
long ProcessUid(const std::string& proc_path, int pid);

}  // namespace portwarden::inventory
