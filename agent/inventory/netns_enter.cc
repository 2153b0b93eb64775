#include "agent/inventory/netns_enter.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstdlib>

#include "agent/core/log.h"
#include "agent/core/unique_fd.h"

namespace portwarden::inventory {

Status InNamespace(int fd, const std::function<Status()>& fn) {
  UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home.valid()) {
    return std::unexpected(ErrnoError(errno, "open own netns"));
  }
  if (::setns(fd, CLONE_NEWNET) != 0) {
    return std::unexpected(ErrnoError(errno, "setns"));
  }
  Status status = fn();
  if (::setns(home.get(), CLONE_NEWNET) != 0) {
    log::Error("cannot return to the agent's network namespace", {{"errno", errno}});
    std::abort();
  }
  return status;
}

Status InNamespaceAt(const std::string& path, const std::function<Status()>& fn) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "open " + path));
  }
  return InNamespace(fd.get(), fn);
}

}  // namespace portwarden::inventory
