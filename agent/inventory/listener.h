#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/ip_address.h"
#include "agent/core/net_types.h"

namespace portwarden::inventory {

/// The process holding a listening socket, when it could be resolved.
struct ProcessInfo {
  int pid = 0;           ///< 0 when unknown.
  std::string comm;      ///< /proc/<pid>/comm
  std::string exe;       ///< /proc/<pid>/exe target
  std::string unit;      ///< systemd unit or container id from /proc/<pid>/cgroup
  int holder_count = 0;  ///< processes sharing the socket (pre-fork servers)
};

/// One listening endpoint: all sockets bound to the same (netns, proto, address, port)
/// are merged into one Listener (SO_REUSEPORT workers), counted in socket_count.
struct Listener {
  Protocol protocol = Protocol::kTcp;
  AddressFamily family = AddressFamily::kIpv4;
  std::string address;  ///< Bind address in canonical text form ("0.0.0.0", "::1").
  std::uint16_t port = 0;
  std::string
      netns;  ///< Label: "host" for the agent's own namespace, else a name or "net:[inode]".
  std::uint64_t netns_inode = 0;
  std::string netns_path;  ///< A path that opens this netns ("/proc/<pid>/ns/net", "/run/netns/x").
  std::string interface;   ///< SO_BINDTODEVICE interface, empty if unbound.
  std::optional<bool> v6only;  ///< IPv6 only; unset when the kernel did not report it.
  std::uint32_t uid = 0;
  std::vector<std::uint64_t> inodes;  ///< Socket inodes merged into this listener.
  int socket_count = 1;
  Scope scope = Scope::kPublic;
  ProcessInfo process;
  /// TCP: the accept queue summed over its sockets (`ss -ltn` Recv-Q) and the sum of their
  /// backlogs (Send-Q). Unset for UDP, and the limit when read through /proc (not in the text).
  std::optional<std::uint32_t> accept_queue;
  std::optional<std::uint32_t> accept_queue_limit;
  /// TCP listeners on a watched port (Inventory::SetWatchedPorts) in a namespace dumped over
  /// netlink: its established connections by peer scope, indexed by Scope. Unset when not
  /// watched or not known (a namespace read through /proc has no in-kernel filter).
  std::optional<std::array<std::uint32_t, 4>> connections;
};

/// How the last scan went, for self-metrics.
struct InventoryStats {
  std::string source = "netlink";    ///< "netlink" or "proc" (fallback in use).
  int fallback_namespaces = 0;       ///< Namespaces whose sockets came from /proc/net.
  int namespaces_scanned = 0;        ///< Dumped: via_netlink + via_proc.
  int namespaces_via_netlink = 0;    ///< Entered (or the agent's own); sockets over sock_diag.
  int namespaces_via_proc = 0;       ///< Sockets from /proc/<pid>/net text (no v6only, no device).
  int namespaces_unreadable = 0;     ///< Cannot be entered and no member process to read through.
  int namespaces_failed = 0;         ///< Could not be opened or dumped (skipped, with a log line).
  int namespaces_vanished = 0;       ///< Discovered, then gone before they could be read.
  bool attribution_partial = false;  ///< Some sockets could not be mapped to a process.
  std::string process_walk;          ///< This scan's fd walk: "bpf", "procfs", "" (cache only).
  bool bpf_walk_ready = false;       ///< The BPF fd walker is loaded for later walks.
  int unattributed_sockets = 0;
  int v6only_unknown = 0;      ///< IPv6 wildcards read through /proc whose v6only could not be had.
  int processes_vanished = 0;  ///< Exited while their /proc entries were being read.
  int proc_read_errors = 0;    ///< /proc/<pid> entries that could not be read.
  int sockets = 0;             ///< Raw sockets before merging into listeners.
  std::size_t series_cap = 2000;           ///< max_listener_series in force for this scan.
  std::uint64_t series_dropped = 0;        ///< Listeners beyond the cap in this scan.
  std::uint64_t series_dropped_total = 0;  ///< Listeners beyond max_listener_series, cumulative.
  std::uint64_t scans_total = 0;           ///< Scans run by this Inventory, cumulative.
  std::uint64_t namespace_failures_total = 0;  ///< failed + vanished namespaces, cumulative.
  std::uint64_t proc_errors_total = 0;  ///< proc read errors + vanished processes, cumulative.
  double dump_seconds = 0;
  double attribution_seconds = 0;
  double connections_seconds = 0;         ///< The filtered connection dumps of the watched ports.
  int connections_seen = 0;               ///< Established sockets they returned.
  int connection_namespaces_unknown = 0;  ///< Namespaces whose connections could not be dumped.
  /// How this scan counted them: "bpf" (the in-kernel tracker), "dump" (the filtered
  /// sock_diag dump), "" (no watched port).
  std::string connection_tracking;
  std::uint64_t connection_tracking_overflows =
      0;  ///< Tracker inserts refused for space, cumulative.
};

/// One namespace as scanned: whether the agent entered it and the addresses it holds.
/// An interface's address with its prefix length: which interface routes to an address
/// (the firewall stage's output interface of a DNAT'd connection).
struct InterfacePrefix {
  std::string interface;
  IpAddress address;
  std::uint8_t length = 0;
};

struct NamespaceView {
  std::string label;  ///< As in Listener::netns.
  std::uint64_t inode = 0;
  /// The agent entered it (or it is its own): a probe can connect from inside it. False for
  /// a namespace read through a member process's /proc/<pid>/net (setns refused).
  bool entered = true;
  std::vector<IpAddress> addresses;     ///< Configured on its interfaces, loopback included.
  std::vector<std::string> interfaces;  ///< Interface names, "lo" included (firewall stage).
  std::string path;                     ///< Opens this netns for setns ("/proc/<pid>/ns/net").
  /// Its addresses with interface and prefix length (read over netlink; empty through /proc).
  std::vector<InterfacePrefix> prefixes;
};

/// The result of one inventory scan. Listeners are sorted by (netns, proto, address, port).
struct InventoryReport {
  bool success = false;
  std::string error;  ///< Why the scan failed, when !success.
  std::vector<Listener> listeners;
  std::vector<NamespaceView> namespaces;  ///< Every namespace dumped, in scan order.
  InventoryStats stats;
};

}  // namespace portwarden::inventory
