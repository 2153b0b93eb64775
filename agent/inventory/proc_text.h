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

}  // namespace portwarden::inventory
