#include "agent/inventory/inventory.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>
#include <vector>

#include "agent/core/duration.h"
#include "agent/core/log.h"
#include "agent/inventory/borrowed_socket.h"
#include "agent/inventory/bpf_fd_walker.h"
#include "agent/inventory/connection_observer.h"
#include "agent/inventory/inet_diag_filter.h"
#include "agent/inventory/listener_builder.h"
#include "agent/inventory/netns_registry.h"
#include "agent/inventory/process_resolver.h"
#include "agent/inventory/procfs_fd_walker.h"

namespace portwarden::inventory {
namespace {

constexpr const char* kRunNetns = "/run/netns";
// From this many sockets, the first scan merges them into listeners on a helper thread while
// this one resolves owners (the /proc/*/fd walk); later scans stay on one thread.
constexpr int kConcurrentMergeMinSockets = 512;

// Dumps one namespace; on failure the namespace is skipped with a log line.
Result<NamespaceDump> DumpNamespace(Netns& netns, bool udp) {
  NamespaceDump dump;
  dump.netns = netns.id;
  for (const auto protocol : {Protocol::kTcp, Protocol::kUdp}) {
    if (protocol == Protocol::kUdp && !udp) {
      continue;
    }
    auto sockets = netns.sockets->Dump(protocol);
    if (!sockets) {
      return std::unexpected(sockets.error());
    }
    if (dump.sockets.empty()) {
      dump.sockets = std::move(*sockets);
    } else {
      dump.sockets.insert(dump.sockets.end(), sockets->begin(), sockets->end());
    }
  }
  if (auto table = netns.ReadInterfaces()) {
    dump.interfaces = std::move(*table);
  } else {
    log::Warn("cannot read interface addresses; wildcard scope is loopback-only",
              {{"netns", netns.id.label}, {"err", table.error().message}});
  }
  dump.via_proc = netns.ViaProc();
  if (!netns.StillMember()) {  // the pid read through exited and was reused elsewhere
    return Fail("vanished: its member process left during the dump", ENOENT);
  }
  return dump;
}

// Dumps every namespace, in order; on two threads when `parallel` (each diag socket already
// lives in its namespace, so any thread can dump it).
std::vector<Result<NamespaceDump>> DumpNamespaces(const std::vector<Netns*>& namespaces,
                                                  bool udp,
                                                  bool parallel) {
  std::vector<Result<NamespaceDump>> results(namespaces.size());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < namespaces.size(); i = next++) {
      results[i] = DumpNamespace(*namespaces[i], udp);
    }
  };
  {
    std::jthread helper;  // joined at the end of this block, before `results` is returned
    if (parallel) {
      try {
        helper = std::jthread(work);
      } catch (const std::system_error&) {
        // No thread to be had: this one dumps them all.
      }
    }
    work();
  }
  return results;
}

// Loads the BPF walker: the one-pass walk of ProcessResolver.
Result<std::unique_ptr<FdWalker>> LoadBpfWalker() {
  auto walker = BpfFdWalker::Create();
  if (!walker) {
    return std::unexpected(walker.error());
  }
  return std::unique_ptr<FdWalker>(std::move(*walker));
}

}  // namespace

struct Inventory::State {
  InventorySettings settings;
  std::unique_ptr<NetnsRegistry> registry;
  std::unique_ptr<ProcessResolver> resolver;
  ConnectionObserver connections;  // phase 4, kept across scans (the BPF tracker)
  InventoryStats cumulative;       // only the *_total fields are used
  bool bpf_ready_logged = false;
  std::string bpf_reason_logged;

  void LogWalkChange(bool bpf_ready, const Error& why);

  std::vector<NamespaceDump> DumpAll(InventoryStats& stats, std::vector<NamespaceView>& views);
  Attribution Attribute(const std::vector<NamespaceDump>& dumps, InventoryStats& stats);
  std::vector<Listener> Listeners(const std::vector<NamespaceDump>& dumps, InventoryStats& stats);
  void Account(InventoryReport& report);
};

// Phase 1: refresh the namespace set, then dump each namespace; one that fails is skipped.
std::vector<NamespaceDump> Inventory::State::DumpAll(InventoryStats& stats,
                                                     std::vector<NamespaceView>& views) {
  const auto start = std::chrono::steady_clock::now();
  const auto sync = registry->Sync(registry->Discover());
  for (const auto& reason : sync.skipped) {
    log::Info("skipping network namespace", {{"reason", reason}});
  }
  stats.namespaces_vanished = sync.vanished;
  stats.namespaces_failed = sync.failed;
  stats.namespaces_unreadable = sync.unreadable;
  const auto namespaces = registry->Namespaces();
  auto results = DumpNamespaces(namespaces, settings.udp,
                                cumulative.scans_total == 0 && namespaces.size() > 1);
  std::vector<NamespaceDump> dumps;
  for (std::size_t i = 0; i < namespaces.size(); ++i) {
    Netns* netns = namespaces[i];
    auto& dump = results[i];
    if (!dump) {
      ++(dump.error().code == ENOENT ? stats.namespaces_vanished : stats.namespaces_failed);
      log::Warn("cannot list sockets in network namespace",
                {{"netns", netns->id.label}, {"err", dump.error().message}});
      continue;
    }
    const bool entered = netns->path == NetnsPath::kNetlink;
    if (entered && netns->sockets->fallback_active()) {
      ++stats.fallback_namespaces;
    }
    if (netns->ViaProc()) {
      ++stats.namespaces_via_proc;
      stats.source = "proc";
    } else {
      ++stats.namespaces_via_netlink;
    }
    stats.sockets += static_cast<int>(dump->sockets.size());
    NamespaceView view{netns->id.label, netns->id.inode, entered, {}, {}, netns->id.path};
    for (const auto& address : dump->interfaces.addresses) {
      view.addresses.push_back(address.address);
      if (entered && address.prefix_length != 0) {
        view.prefixes.push_back({address.interface, address.address, address.prefix_length});
      }
    }
    for (const auto& [index, name] : dump->interfaces.names) {
      view.interfaces.push_back(name);
    }
    views.push_back(std::move(view));
    dumps.push_back(std::move(*dump));
  }
  stats.namespaces_scanned = static_cast<int>(dumps.size());
  stats.dump_seconds = SecondsSince(start);
  return dumps;
}

// Logs which walk attribution uses, once per change: the BPF walker's first load, and each
// distinct reason it is unavailable. Missing privilege is the normal case for a non-root agent
// (and a partial attribution already says so), so that is a debug line; other reasons info.
void Inventory::State::LogWalkChange(bool bpf_ready, const Error& why) {
  if (bpf_ready && !bpf_ready_logged) {
    log::Debug("process attribution uses the BPF fd walk");
  }
  bpf_ready_logged = bpf_ready;
  if (why.message == bpf_reason_logged) {
    return;
  }
  bpf_reason_logged = why.message;
  const bool unprivileged = why.code == EPERM || why.code == EACCES;
  (unprivileged ? log::Debug : log::Info)(
      "process attribution walks /proc/*/fd: BPF fd walk unavailable", {{"reason", why.message}});
}

// Phase 2: socket inodes to processes, searching each socket's own namespace first.
Attribution Inventory::State::Attribute(const std::vector<NamespaceDump>& dumps,
                                        InventoryStats& stats) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::uint64_t> inodes;
  std::vector<int> likely_pids;
  for (const auto& dump : dumps) {
    for (const auto& socket : dump.sockets) {
      inodes.push_back(socket.inode);
    }
    if (!dump.sockets.empty()) {
      likely_pids.insert(likely_pids.end(), dump.netns.pids.begin(), dump.netns.pids.end());
    }
  }
  ResolveStats resolve;
  auto owners = resolver->Resolve(inodes, resolve, likely_pids);
  stats.attribution_seconds = SecondsSince(start);
  stats.unattributed_sockets = resolve.unattributed;
  stats.attribution_partial = resolve.unattributed > 0;
  stats.process_walk = resolve.walk;
  stats.bpf_walk_ready = resolver->BpfReady();
  LogWalkChange(stats.bpf_walk_ready, resolver->BpfUnavailable());
  stats.processes_vanished = resolve.processes_vanished;
  stats.proc_read_errors = resolve.proc_errors;
  return owners;
}

// Phases 2 and 3: owners, and the listeners they are attached to. The merge needs only the
// dumps, so a cold first scan runs it alongside the attribution.
std::vector<Listener> Inventory::State::Listeners(const std::vector<NamespaceDump>& dumps,
                                                  InventoryStats& stats) {
  const auto& zones = settings.zones;
  const bool concurrent =
      cumulative.scans_total == 0 && stats.sockets >= kConcurrentMergeMinSockets;
  std::vector<Listener> listeners;
  Attribution owners;
  {
    std::jthread merge;  // joined at the end of this block
    if (concurrent) {
      try {
        merge = std::jthread([&] { listeners = MergeSockets(dumps, zones); });
      } catch (const std::system_error&) {
        // No thread to be had: merged below instead.
      }
    }
    owners = Attribute(dumps, stats);
    if (!merge.joinable()) {
      listeners = MergeSockets(dumps, zones);
    }
  }
  AttachOwners(listeners, owners);
  std::vector<std::uint64_t> proc_netns;
  for (const auto& dump : dumps) {
    if (dump.via_proc) {
      proc_netns.push_back(dump.netns.inode);
    }
  }
  if (!proc_netns.empty() && settings.proc_path == "/proc") {
    stats.v6only_unknown = RefineV6Only(listeners, dumps, proc_netns, zones, "/proc");
  }
  return listeners;
}

// The series cap and the cumulative counters.
void Inventory::State::Account(InventoryReport& report) {
  auto& stats = report.stats;
  stats.series_cap = settings.max_listener_series;
  const auto count = report.listeners.size();
  stats.series_dropped = count > stats.series_cap ? count - stats.series_cap : 0;
  cumulative.series_dropped_total += stats.series_dropped;
  cumulative.namespace_failures_total += static_cast<std::uint64_t>(
      stats.namespaces_vanished + stats.namespaces_failed + stats.namespaces_unreadable);
  cumulative.proc_errors_total +=
      static_cast<std::uint64_t>(stats.proc_read_errors + stats.processes_vanished);
  cumulative.scans_total += 1;
  stats.series_dropped_total = cumulative.series_dropped_total;
  stats.namespace_failures_total = cumulative.namespace_failures_total;
  stats.proc_errors_total = cumulative.proc_errors_total;
  stats.scans_total = cumulative.scans_total;
}

Inventory::Inventory(InventorySettings settings) : state_(std::make_unique<State>()) {
  Apply(std::move(settings));
}

Inventory::~Inventory() = default;

void Inventory::SetWatchedPorts(std::vector<LocalPortRange> ports) {
  state_->connections.SetWatchedPorts(NormalizePortRanges(ports));
}

void Inventory::Apply(InventorySettings settings) {
  const auto& old = state_->settings;
  const bool rebuild = !state_->registry || old.proc_path != settings.proc_path ||
                       old.process_walk != settings.process_walk ||
                       old.namespaces != settings.namespaces;
  state_->settings = std::move(settings);
  state_->connections.Apply(state_->settings.connection_tracking_max, state_->settings.zones);
  if (rebuild) {
    const auto& now = state_->settings;
    const bool all = now.namespaces == config::NamespaceMode::kAll;
    state_->registry = std::make_unique<NetnsRegistry>(now.proc_path, kRunNetns, all,
                                                       std::make_unique<KernelSocketSources>());
    // The BPF walk reports the kernel's pids: only valid against the host's own /proc.
    const bool bpf = now.process_walk == config::ProcessWalk::kAuto && now.proc_path == "/proc";
    state_->resolver = std::make_unique<ProcessResolver>(
        std::make_unique<ProcfsFdWalker>(now.proc_path),
        bpf ? DeferredFdWalker::Loader(LoadBpfWalker) : DeferredFdWalker::Loader());
  }
}

InventoryReport Inventory::Scan() {
  InventoryReport report;
  if (state_->cumulative.scans_total == 0) {
    state_->resolver->PrefetchWalk();  // the first scan's fd walk overlaps the dumps
  }
  const auto dumps = state_->DumpAll(report.stats, report.namespaces);
  if (dumps.empty() || dumps.front().netns.label != "host") {
    report.error = "cannot list the host namespace's sockets";
  }
  report.listeners = state_->Listeners(dumps, report.stats);
  state_->connections.Observe(state_->registry->Namespaces(), report.listeners, report.stats);
  state_->Account(report);
  report.success = report.error.empty();
  return report;
}

}  // namespace portwarden::inventory
