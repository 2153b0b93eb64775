#pragma once

#include <memory>
#include <string>

#include "agent/core/error.h"
#include "agent/inventory/interface_addresses.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

struct NetnsCandidate;

/// What a namespace is read through once entered.
struct EnteredNamespace {
  std::unique_ptr<SocketSource> diag;  ///< null when sock_diag is unavailable (/proc answers)
  std::unique_ptr<InterfaceAddressReader> interfaces;  ///< null only in fakes
};

/// Builds the socket sources NetnsRegistry reads each namespace through. Role interface;
/// implementations: KernelSocketSources (NetlinkSocketSource created inside the namespace,
/// ProcNetSocketSource over a member's /proc/<pid>/net) and, in tests, fakes replaying
/// captured dumps. Called from the registry's thread only.
class SocketSourceFactory {
 public:
  virtual ~SocketSourceFactory() = default;

  /// The diag source and route socket of the namespace `candidate` names, created inside it
  /// (`own`: the agent's own namespace, nothing to enter). The error's code says what
  /// happened: EACCES/EPERM it cannot be entered; ENOENT it is gone (or its path now names
  /// another namespace); anything else failed.
  virtual Result<EnteredNamespace> Enter(const NetnsCandidate& candidate, bool own) = 0;

  /// A source reading the text files under `net_dir` (a member process's /proc/<pid>/net).
  virtual std::unique_ptr<SocketSource> ProcNet(const std::string& net_dir) = 0;
};

/// The kernel's sources: setns() into the namespace (and straight back), a sock_diag socket
/// and a route socket created there; /proc/<pid>/net text for the fallback.
class KernelSocketSources final : public SocketSourceFactory {
 public:
  Result<EnteredNamespace> Enter(const NetnsCandidate& candidate, bool own) override;
  std::unique_ptr<SocketSource> ProcNet(const std::string& net_dir) override;
};

}  // namespace portwarden::inventory
