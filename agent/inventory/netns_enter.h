#pragma once

#include <functional>

#include "agent/core/error.h"

namespace portwarden::inventory {

/// Runs `fn` with the calling thread inside the network namespace open at `fd` (setns), then
/// returns the thread to the namespace it was in. The one way the agent enters a namespace:
/// the inventory creates its sockets there, the firewall stage reads the ruleset there.
/// Failing to return home cannot happen with a valid handle to our own namespace; it aborts.
Status InNamespace(int fd, const std::function<Status()>& fn);

/// InNamespace on the namespace at `path` ("/proc/<pid>/ns/net", "/run/netns/x").
Status InNamespaceAt(const std::string& path, const std::function<Status()>& fn);

}  // namespace portwarden::inventory
