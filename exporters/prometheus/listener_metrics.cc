// portwarden_listener_info, portwarden_listeners and the inventory's health.
#include <string>

#include "agent/inventory/inventory_summary.h"
#include "exporters/prometheus/listener_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

// One series per listener, up to the configured cap; the rest are counted as dropped.
void AppendPerListener(const inventory::InventoryReport& report, Families& out) {
  auto info = Gauge("portwarden_listener_info",
                    "A listening socket (all sockets on one address and port merged), labeled "
                    "by namespace, protocol, family, bind address, port, reach, process and unit.");
  auto sockets = Gauge("portwarden_listener_sockets",
                       "Sockets bound to this listener's address and port (SO_REUSEPORT workers).");
  const std::size_t cap = report.stats.series_cap;
  for (std::size_t i = 0; i < report.listeners.size() && i < cap; ++i) {
    auto labels = ListenerLabels(report.listeners[i]);
    info.Add(labels, 1);
    sockets.Add(std::move(labels), report.listeners[i].socket_count);
  }
  info.MoveInto(out);
  sockets.MoveInto(out);
}

void AppendSeriesCap(const inventory::InventoryReport& report, Families& out) {
  const std::size_t cap = report.stats.series_cap;
  Gauge("portwarden_listener_series_limit",
        "Maximum listeners exported per series family (inventory.max_listener_series).")
      .Add({}, static_cast<double>(cap))
      .MoveInto(out);
  Counter("portwarden_listener_series_dropped_total",
          "Listeners left out of the per-listener series because of the cap, summed over scans.")
      .Add({}, static_cast<double>(report.stats.series_dropped_total))
      .MoveInto(out);
}

// Every (proto, scope) pair is present, at 0 when no listener has it, so alerts see zeros.
void AppendCounts(const inventory::InventoryReport& report, Families& out) {
  double counts[2][4] = {};
  for (const auto& listener : report.listeners) {
    counts[static_cast<int>(listener.protocol)][static_cast<int>(listener.scope)] += 1;
  }
  auto listeners = Gauge("portwarden_listeners", "Listeners by protocol and reach (uncapped).");
  for (const Protocol proto : {Protocol::kTcp, Protocol::kUdp}) {
    for (const Scope scope :
         {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate, Scope::kPublic}) {
      listeners.Add(
          {{"proto", std::string(ProtocolName(proto))}, {"scope", std::string(ScopeName(scope))}},
          counts[static_cast<int>(proto)][static_cast<int>(scope)]);
    }
  }
  listeners.MoveInto(out);
}

void AppendHealth(const inventory::InventoryStats& stats, Families& out) {
  Gauge("portwarden_inventory_sockets", "Listening sockets seen in the last scan, before merging.")
      .Add({}, stats.sockets)
      .MoveInto(out);
  Gauge("portwarden_inventory_fallback_active",
        "1 when some namespace's sockets were read from /proc/net because netlink failed.")
      .Add({}, stats.fallback_namespaces > 0 ? 1 : 0)
      .MoveInto(out);
  Gauge("portwarden_inventory_namespaces",
        "Network namespaces found in the last scan, each in one state: via_netlink (entered), "
        "via_proc (read through a member process's /proc/<pid>/net: no v6only, no bound "
        "device), unreadable, failed, vanished.")
      .Add({{"state", "via_netlink"}}, stats.namespaces_via_netlink)
      .Add({{"state", "via_proc"}}, stats.namespaces_via_proc)
      .Add({{"state", "unreadable"}}, stats.namespaces_unreadable)
      .Add({{"state", "failed"}}, stats.namespaces_failed)
      .Add({{"state", "vanished"}}, stats.namespaces_vanished)
      .MoveInto(out);
  Gauge("portwarden_inventory_v6only_unknown_listeners",
        "IPv6 wildcard listeners read through /proc whose IPV6_V6ONLY could not be borrowed "
        "from their owner; their scope assumes dual-stack (the wider reach).")
      .Add({}, stats.v6only_unknown)
      .MoveInto(out);
  Gauge("portwarden_inventory_view_partial",
        "1 when the last scan saw less than the whole host: a namespace unreadable or failed, "
        "or a listening socket without a readable owner process.")
      .Add({}, inventory::ViewPartial(stats) ? 1 : 0)
      .MoveInto(out);
  Counter("portwarden_inventory_namespace_failures_total",
          "Namespaces that could not be scanned (unreadable, failed or vanished mid-scan), summed "
          "over scans.")
      .Add({}, static_cast<double>(stats.namespace_failures_total))
      .MoveInto(out);
  Gauge("portwarden_inventory_attribution_partial",
        "1 when some listening sockets could not be mapped to a process in the last scan.")
      .Add({}, stats.attribution_partial ? 1 : 0)
      .MoveInto(out);
  Gauge("portwarden_inventory_bpf_walk",
        "1 when process attribution walks every process's sockets with the BPF iterator, "
        "0 when it reads /proc/*/fd.")
      .Add({}, stats.bpf_walk_ready ? 1 : 0)
      .MoveInto(out);
  auto tracking = Gauge("portwarden_inventory_connection_tracking",
                        "1 for how the last scan counted the established connections of watched "
                        "listeners: mode=\"bpf\" (in-kernel tracker) or mode=\"dump\" (filtered "
                        "sock_diag dump).");
  if (!stats.connection_tracking.empty()) {
    tracking.Add({{"mode", stats.connection_tracking}}, 1);
  }
  tracking.MoveInto(out);
  Counter("portwarden_inventory_connection_tracking_overflows_total",
          "Sockets the in-kernel connection tracker could not follow for lack of space "
          "(inventory.connection_tracking_max); each overflow falls back to the dump.")
      .Add({}, static_cast<double>(stats.connection_tracking_overflows))
      .MoveInto(out);
  Gauge("portwarden_inventory_unattributed_sockets",
        "Listening sockets no readable process holds, in the last scan.")
      .Add({}, stats.unattributed_sockets)
      .MoveInto(out);
  Counter("portwarden_inventory_proc_errors_total",
          "/proc/<pid> entries that could not be read or vanished mid-scan, summed over scans.")
      .Add({}, static_cast<double>(stats.proc_errors_total))
      .MoveInto(out);
  Gauge("portwarden_inventory_phase_duration_seconds", "Duration of each phase of the last scan.")
      .Add({{"phase", "dump"}}, stats.dump_seconds)
      .Add({{"phase", "attribution"}}, stats.attribution_seconds)
      .MoveInto(out);
}

}  // namespace

void AppendPerListenerMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendPerListener(*snapshot.inventory, out);
}

void AppendInventoryMetrics(const state::Snapshot& snapshot, Families& out) {
  const auto& report = *snapshot.inventory;
  AppendSeriesCap(report, out);
  AppendCounts(report, out);
  AppendHealth(report.stats, out);
}

void AppendListenerMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendPerListenerMetrics(snapshot, out);
  AppendInventoryMetrics(snapshot, out);
}

}  // namespace portwarden::exporters::prom
