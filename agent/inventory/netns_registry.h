#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/inventory/interface_addresses.h"
#include "agent/inventory/proc_net_socket_source.h"
#include "agent/inventory/socket_source_factory.h"

namespace portwarden::inventory {

/// A network namespace found on the host, before it is opened.
struct NetnsCandidate {
  /// The namespace's inode (/proc/<pid>/ns/net); for a namespace whose every member process
  /// denies ptrace access, the inode of its /proc/<pid>/net/tcp entry instead (one per
  /// namespace, from the same allocator, so the two never collide).
  std::uint64_t inode = 0;
  /// "host", the /run/netns name, "net:[<inode>]", or "procnet:[<inode>]" (identified only
  /// through its /proc/<pid>/net entry).
  std::string label;
  std::string path;          ///< open() + setns() target
  std::string proc_net_dir;  ///< /proc/<pid>/net for the fallback; "" when no process is in it
  std::vector<int> pids;     ///< processes seen in it (empty when only "host" is scanned)
};

/// How a namespace is read.
enum class NetnsPath {
  kNetlink,  ///< entered once (or the agent's own): sock_diag and rtnetlink sockets live in it
  kProc,     ///< cannot be entered: /proc/<pid>/net text of one of its member processes
};

/// An opened namespace: its sockets stay bound to it between scans.
struct Netns {
  NetnsCandidate id;
  NetnsPath path = NetnsPath::kNetlink;
  /// Netlink with /proc fallback; on the kProc path a /proc source only.
  std::unique_ptr<FallbackSocketSource> sockets;
  std::unique_ptr<InterfaceAddressReader> interfaces;  ///< null on the kProc path

  /// True when the last dump came (even in part) from /proc text: the kProc path, or the
  /// kNetlink path's fallback for a protocol whose sock_diag dump failed.
  bool ViaProc() const;
  /// Reads the interface addresses through whichever path this namespace uses.
  Result<InterfaceTable> ReadInterfaces();
  /// True while `id.proc_net_dir` still belongs to this namespace (its pid has not been
  /// reused elsewhere); checked after a kProc dump. Always true on the kNetlink path.
  bool StillMember() const;
};

/// Outcome of one Sync(), for self-metrics and logs.
struct NetnsSyncStats {
  int opened = 0;
  int dropped = 0;                   ///< gone since the last sync; their sockets were closed
  int vanished = 0;                  ///< discovered, then gone before they could be entered
  int failed = 0;                    ///< could not be opened for another reason
  int unreadable = 0;                ///< cannot be entered and no member process to read it through
  std::vector<std::string> skipped;  ///< "label: reason", one per vanished, failed, unreadable
};

/// Discovers network namespaces from <proc>/*/ns/net and /run/netns (deduplicated by inode),
/// and picks per namespace the best way to read it: where setns() is allowed, one diag
/// socket and one route socket created inside it (setns() in and straight back out) and
/// kept; where it is not (no CAP_SYS_ADMIN, RestrictNamespaces=), the /proc/<pid>/net files
/// of a member process, which the kernel serves for that process's namespace. Namespaces are
/// dropped when they go away. A process whose ns/net link cannot be read (no ptrace access)
/// is placed by the inode of its /proc/<pid>/net/tcp entry, which is one per namespace.
/// The sources come from a SocketSourceFactory (the kernel's by default; a fake in tests).
/// Not thread-safe; setns() affects only the calling thread, which is restored before return.
class NetnsRegistry {
 public:
  /// `all` = false keeps only the agent's own ("host") namespace. `sources` null: the
  /// kernel's (KernelSocketSources).
  NetnsRegistry(std::string proc_path,
                std::string run_netns_dir,
                bool all,
                std::unique_ptr<SocketSourceFactory> sources = nullptr);

  /// Lists the namespaces present now; the host namespace comes first. No side effects.
  std::vector<NetnsCandidate> Discover() const;

  /// Opens the new candidates, drops namespaces that are no longer listed. A namespace that
  /// cannot be entered is skipped with a reason, never an abort.
  NetnsSyncStats Sync(const std::vector<NetnsCandidate>& candidates);

  /// Opened namespaces, host first, then by inode. Pointers stay valid until the next Sync().
  std::vector<Netns*> Namespaces();

 private:
  Result<std::unique_ptr<Netns>> Open(const NetnsCandidate& candidate) const;
  std::unique_ptr<Netns> OpenThroughProcess(const NetnsCandidate& candidate) const;
  void PlaceUnidentified(const std::vector<std::pair<std::uint64_t, int>>& unidentified,
                         std::vector<NetnsCandidate>& found) const;

  std::string proc_path_;
  std::string run_netns_dir_;
  bool all_;
  std::uint64_t host_inode_ = 0;
  std::unique_ptr<SocketSourceFactory> sources_;
  std::map<std::uint64_t, std::unique_ptr<Netns>> open_;
};

}  // namespace portwarden::inventory
