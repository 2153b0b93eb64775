#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/core/error.h"

/// Small /proc readers shared by the inventory's resolvers.
namespace portwarden::inventory {

/// Reads a file whole with read(2) (procfs files are generated on read, so stdio's small
/// buffer would cost syscalls). `initial_size` is the first buffer size; it doubles as needed,
/// up to `max_size` bytes (beyond that: EFBIG).
Result<std::string> ReadWholeFile(const std::string& path,
                                  std::size_t initial_size,
                                  std::size_t max_size = static_cast<std::size_t>(-1));

/// Reads a small file whole (e.g. /proc/<pid>/comm, stat, cgroup).
inline Result<std::string> ReadSmallFile(const std::string& path) {
  return ReadWholeFile(path, 4096);
}

/// readlink(2) into a string.
Result<std::string> ReadLink(const std::string& path);

/// The unit or container id in one cgroup path ("/system.slice/nginx.service" ->
/// "nginx.service"; ".../docker-<64 hex>.scope", "cri-containerd-<id>.scope",
/// "libpod-<id>.scope", "crio-<id>.scope" or a bare "<id>" -> the first 12 hex digits; a
/// Kubernetes pod's own cgroup without a container id -> "pod/<uid>"). Pure.
std::string UnitFromCgroupPath(std::string_view path);

/// The systemd unit ("nginx.service") or container id (12 hex digits) in the text of
/// /proc/<pid>/cgroup; empty when neither appears. Pure.
std::string UnitFromCgroup(std::string_view cgroup_text);

/// Field 4 (ppid) of /proc/<pid>/stat text; 0 when malformed. Pure.
int ParentPidFromStat(std::string_view stat_text);

/// Field 22 (starttime) of /proc/<pid>/stat text; 0 when malformed. Pure.
unsigned long long StartTimeFromStat(std::string_view stat_text);

}  // namespace portwarden::inventory
