#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/inventory/listener.h"
#include "agent/inventory/listener_builder.h"

namespace portwarden::inventory {

/// The IPV6_V6ONLY flag of a socket held by `pid`, read from a duplicate of its fd taken with
/// pidfd_getfd(2) (ptrace-attach access: CAP_SYS_PTRACE, or the same uid). This is how the
/// /proc path learns what /proc/<pid>/net/tcp6 does not print; nullopt when the process
/// denies it, has exited, or no longer holds the inode. `proc_path` must be the host's /proc.
std::optional<bool> BorrowedV6Only(const std::string& proc_path, int pid, std::uint64_t inode);

/// For listeners read through /proc (`proc_netns`: inodes of namespaces on that path): an
/// IPv6 wildcard without a known v6only takes it from its owner's socket, and its scope is
/// computed again (a dual-stack wildcard also reaches the namespace's IPv4 addresses). Only
/// wildcards are asked: for a concrete address v6only does not change the scope. Returns how
/// many stayed unknown.
int RefineV6Only(std::span<Listener> listeners,
                 std::span<const NamespaceDump> dumps,
                 std::span<const std::uint64_t> proc_netns,
                 std::span<const config::ZoneOverride> zones,
                 const std::string& proc_path);

}  // namespace portwarden::inventory
