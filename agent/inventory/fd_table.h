#pragma once

#include <cstdint>
#include <vector>

namespace portwarden::inventory {

/// One process's socket inodes, read from /proc/<pid>/fd or reported by the BPF walk, and
/// how the read went (merged into ResolveStats when the table is used).
struct FdTable {
  int pid = 0;
  bool opened = false;  ///< The fd directory could be opened.
  int vanished = 0;     ///< 1 when the process was gone.
  int errors = 0;       ///< Unreadable fd directory or denied readlinks.
  int fds_read = 0;
  std::vector<std::uint64_t> inodes;
};

}  // namespace portwarden::inventory
