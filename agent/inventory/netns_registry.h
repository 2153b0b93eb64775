#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/inventory/interface_addresses.h"
#include "agent/inventory/proc_net_socket_source.h"

namespace portwarden::inventory {

/// A network namespace found on the host, before it is opened.
struct NetnsCandidate {
  std::uint64_t inode = 0;
  std::string label;         ///< "host", the /run/netns name, or "net:[<inode>]"
  std::string path;          ///< open() + setns() target
  std::string proc_net_dir;  ///< /proc/<pid>/net for the fallback; "" when no process is in it
  std::vector<int> pids;     ///< processes seen in it (empty when only "host" is scanned)
};

/// An opened namespace: its sockets stay bound to it between scans.
struct Netns {
  NetnsCandidate id;
  std::unique_ptr<FallbackSocketSource> sockets;
  std::unique_ptr<InterfaceAddressReader> interfaces;  ///< null when it could not be opened
};

/// Outcome of one Sync(), for self-metrics and logs.
struct NetnsSyncStats {
  int opened = 0;
  int dropped = 0;                   ///< gone since the last sync; their sockets were closed
  int vanished = 0;                  ///< discovered, then gone before they could be entered
  int failed = 0;                    ///< could not be entered for another reason (e.g. EPERM)
  std::vector<std::string> skipped;  ///< "label: reason", one per vanished or failed namespace
};

/// Discovers network namespaces from <proc>/*/ns/net and /run/netns (deduplicated by inode),
/// keeps one diag socket and one route socket per namespace (created inside it with
/// setns() in and straight back out), and drops them when the namespace goes away.
/// Not thread-safe; setns() affects only the calling thread, which is restored before return.
class NetnsRegistry {
 public:
  /// `all` = false keeps only the agent's own ("host") namespace.
  NetnsRegistry(std::string proc_path, std::string run_netns_dir, bool all);

  /// Lists the namespaces present now; the host namespace comes first. No side effects.
  std::vector<NetnsCandidate> Discover() const;

  /// Opens the new candidates, drops namespaces that are no longer listed. A namespace that
  /// cannot be entered is skipped with a reason, never an abort.
  NetnsSyncStats Sync(const std::vector<NetnsCandidate>& candidates);

  /// Opened namespaces, host first, then by inode. Pointers stay valid until the next Sync().
  std::vector<Netns*> Namespaces();

  std::uint64_t host_inode() const { return host_inode_; }

 private:
  Result<std::unique_ptr<Netns>> Open(const NetnsCandidate& candidate) const;

  std::string proc_path_;
  std::string run_netns_dir_;
  bool all_;
  std::uint64_t host_inode_ = 0;
  std::map<std::uint64_t, std::unique_ptr<Netns>> open_;
};

}  // namespace portwarden::inventory
