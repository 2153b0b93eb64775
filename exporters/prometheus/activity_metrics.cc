// Observed activity per listener (established connections, accept queue) and the baseline.
#include <string>

#include "exporters/prometheus/listener_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {
namespace {

constexpr Scope kPeerScopes[] = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate,
                                 Scope::kPublic};

void AppendConnections(const inventory::InventoryReport& report, Families& out) {
  auto connections = Gauge("portwarden_listener_connections",
                           "Established TCP connections accepted by this listener, by the "
                           "scope of the peer; only listeners on watched ports (discovery TLS "
                           "ports, ports an exposure rule names) in namespaces read over netlink.");
  auto queue = Gauge("portwarden_listener_accept_queue",
                     "Connections waiting in this TCP listener's accept queue (ss -ltn Recv-Q).");
  auto limit = Gauge("portwarden_listener_accept_queue_limit",
                     "This TCP listener's accept queue limit, its backlog (ss -ltn Send-Q).");
  const std::size_t cap = report.stats.series_cap;
  for (std::size_t i = 0; i < report.listeners.size() && i < cap; ++i) {
    const auto& listener = report.listeners[i];
    if (listener.accept_queue) {
      queue.Add(ListenerLabels(listener), *listener.accept_queue);
    }
    if (listener.accept_queue_limit) {
      limit.Add(ListenerLabels(listener), *listener.accept_queue_limit);
    }
    if (!listener.connections) {
      continue;
    }
    for (const Scope scope : kPeerScopes) {
      LabelList labels = ListenerLabels(listener);
      labels.push_back({"peer_scope", std::string(ScopeName(scope))});
      connections.Add(std::move(labels), (*listener.connections)[static_cast<std::size_t>(scope)]);
    }
  }
  connections.MoveInto(out);
  queue.MoveInto(out);
  limit.MoveInto(out);
}

void AppendConnectionHealth(const inventory::InventoryStats& stats, Families& out) {
  Gauge("portwarden_inventory_connection_namespaces_unknown",
        "Namespaces with watched listeners whose established connections could not be dumped "
        "(read through /proc, or the filtered dump failed).")
      .Add({}, stats.connection_namespaces_unknown)
      .MoveInto(out);
  Gauge("portwarden_inventory_connections_seen",
        "Established sockets on watched ports returned by the last scan's filtered dumps.")
      .Add({}, stats.connections_seen)
      .MoveInto(out);
}

}  // namespace

void AppendListenerActivityMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendConnections(*snapshot.inventory, out);
}

void AppendConnectionDumpMetrics(const state::Snapshot& snapshot, Families& out) {
  AppendConnectionHealth(snapshot.inventory->stats, out);
}

void AppendBaselineMetrics(const state::Snapshot& snapshot, Families& out) {
  const auto& policy = *snapshot.policy;
  const auto& inventory = *snapshot.inventory;
  if (policy.baseline.file.empty()) {
    return;
  }
  auto unapproved = Gauge("portwarden_listener_unapproved",
                          "1 for each listener the baseline (inventory.baseline) does not list.");
  std::size_t count = 0;
  for (std::size_t i = 0; i < policy.unapproved.size() && i < inventory.listeners.size(); ++i) {
    if (!policy.unapproved[i]) {
      continue;
    }
    ++count;
    if (i < inventory.stats.series_cap) {
      unapproved.Add(ListenerLabels(inventory.listeners[i]), 1);
    }
  }
  unapproved.MoveInto(out);
  Gauge("portwarden_listeners_unapproved", "Listeners the baseline does not list, uncapped.")
      .Add({}, static_cast<double>(count))
      .MoveInto(out);
  Gauge("portwarden_baseline_loaded",
        "1 when a baseline is in force (possibly an older one, see _last_load_successful).")
      .Add({}, policy.baseline.loaded ? 1 : 0)
      .MoveInto(out);
  Gauge("portwarden_baseline_last_load_successful",
        "0 when the last read of the baseline file failed (the last good one stays in force).")
      .Add({}, policy.baseline.last_load_ok ? 1 : 0)
      .MoveInto(out);
  Gauge("portwarden_baseline_entries", "Entries of the baseline in force.")
      .Add({}, static_cast<double>(policy.baseline.entries))
      .MoveInto(out);
}

}  // namespace portwarden::exporters::prom
