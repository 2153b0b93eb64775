#include "agent/inventory/socket_source_factory.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "agent/core/log.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/netlink_socket_source.h"
#include "agent/inventory/netns_enter.h"
#include "agent/inventory/netns_registry.h"
#include "agent/inventory/proc_net_socket_source.h"

namespace portwarden::inventory {
Result<EnteredNamespace> KernelSocketSources::Enter(const NetnsCandidate& candidate, bool own) {
  EnteredNamespace entered;
  const auto create = [&]() -> Status {
    if (auto source = NetlinkSocketSource::Open()) {
      entered.diag = std::move(*source);
    }
    auto reader = InterfaceAddressReader::Open();
    if (!reader) {
      return std::unexpected(reader.error());
    }
    entered.interfaces = std::move(*reader);
    return {};
  };
  if (own) {
    if (auto status = create(); !status) {
      return std::unexpected(status.error());
    }
    return entered;
  }
  UniqueFd fd(::open(candidate.path.c_str(), O_RDONLY | O_CLOEXEC));

  struct stat st {};

  if (!fd.valid() && (errno == EACCES || errno == EPERM)) {
    return std::unexpected(ErrnoError(errno, "open " + candidate.path));
  }
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_ino != candidate.inode) {
    return Fail("vanished", ENOENT);  // gone, or the pid now lives elsewhere
  }
  if (auto status = InNamespace(fd.get(), create); !status) {
    return std::unexpected(status.error());
  }
  return entered;
}

std::unique_ptr<SocketSource> KernelSocketSources::ProcNet(const std::string& net_dir) {
  return std::make_unique<ProcNetSocketSource>(net_dir);
}

}  // namespace portwarden::inventory
