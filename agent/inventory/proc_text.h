#pragma once

#include <string>
#include <string_view>

#include "agent/core/error.h"

/// Small /proc readers shared by the inventory's resolvers.
namespace portwarden::inventory {

/// Reads a small file whole (e.g. /proc/<pid>/comm, stat, cgroup).
Result<std::string> ReadSmallFile(const std::string& path);

/// readlink(2) into a string.
Result<std::string> ReadLink(const std::string& path);

/// The unit or container id in one cgroup path ("/system.slice/nginx.service" ->
/// "nginx.service"; ".../docker-<64 hex>.scope" -> the first 12 hex digits). Pure.
std::string UnitFromCgroupPath(std::string_view path);

/// The systemd unit ("nginx.service") or container id (12 hex digits) in the text of
/// /proc/<pid>/cgroup; empty when neither appears. Pure.
std::string UnitFromCgroup(std::string_view cgroup_text);

/// Field 22 (starttime) of /proc/<pid>/stat text; 0 when malformed. Pure.
unsigned long long StartTimeFromStat(std::string_view stat_text);

}  // namespace portwarden::inventory
