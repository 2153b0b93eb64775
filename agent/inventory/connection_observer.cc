#include "agent/inventory/connection_observer.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <set>

#include "agent/core/duration.h"
#include "agent/core/log.h"
#include "agent/inventory/bpf_connection_tracker.h"
#include "agent/inventory/connection_counter.h"
#include "agent/inventory/netns_registry.h"

namespace portwarden::inventory {
namespace {

// After a failed or overflowed tracker, this many scans use the dump before the next try.
constexpr int kRetryScans = 20;

bool SameZones(std::span<const config::ZoneOverride> a, std::span<const config::ZoneOverride> b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto text = [](const config::ZoneOverride& z) {
      return z.cidr ? z.cidr->text : std::string();
    };
    if (a[i].interface != b[i].interface || a[i].scope != b[i].scope || text(a[i]) != text(b[i])) {
      return false;
    }
  }
  return true;
}

AddressFamily FamilyOf(std::uint8_t af) {
  return af == AF_INET ? AddressFamily::kIpv4 : AddressFamily::kIpv6;
}

}  // namespace

ConnectionObserver::ConnectionObserver() = default;
ConnectionObserver::~ConnectionObserver() = default;

void ConnectionObserver::Apply(std::size_t tracking_max, std::vector<config::ZoneOverride> zones) {
  if (tracking_max != tracking_max_ || !SameZones(zones, zones_)) {
    tracker_.reset();
    retry_in_ = 0;
  }
  tracking_max_ = tracking_max;
  zones_ = std::move(zones);
}

// Logs the counting mode once per change: the tracker's load, and each distinct reason it
// is not used. Missing privilege is the normal case of the shipped unit: a debug line.
void ConnectionObserver::LogMode(const std::string& mode, const Error& why) {
  const std::string key = mode + "\n" + why.message;
  if (key == logged_) {
    return;
  }
  logged_ = key;
  if (mode == "bpf") {
    log::Debug("observed activity counts connections in the kernel (BPF tracker)");
    return;
  }
  const bool unprivileged = why.code == EPERM || why.code == EACCES;
  (unprivileged ? log::Debug : log::Info)(
      "observed activity uses the filtered connection dump: BPF tracker unavailable",
      {{"reason", why.message}});
}

bool ConnectionObserver::EnsureTracker() {
  if (tracker_) {
    return true;
  }
  if (tracking_max_ == 0) {
    LogMode("dump", Error{"inventory.connection_tracking_max = 0", 0});
    return false;
  }
  if (retry_in_ > 0) {
    --retry_in_;
    return false;
  }
  auto tracker = BpfConnectionTracker::Create(tracking_max_, zones_);
  if (!tracker) {
    LogMode("dump", tracker.error());
    retry_in_ = kRetryScans;
    return false;
  }
  tracker_ = std::move(*tracker);
  return true;
}

void ConnectionObserver::Observe(std::span<Netns* const> namespaces,
                                 std::vector<Listener>& listeners,
                                 InventoryStats& stats) {
  if (watched_.empty()) {
    tracker_.reset();  // nothing to count: detach, so no (namespace, port) stays watched
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  if (EnsureTracker() && ObserveTracked(namespaces, listeners, stats)) {
    stats.connection_tracking = "bpf";
    LogMode("bpf", {});
  } else {
    stats.connection_tracking = "dump";
    ObserveDumped(namespaces, listeners, stats);
  }
  stats.connection_tracking_overflows = overflows_total_;
  stats.connections_seconds = SecondsSince(start);
}

// The tracker's counts, placed as the dump's sockets would be. False (nothing counted, the
// listeners' connections reset) when the counts cannot be trusted this scan.
bool ConnectionObserver::ObserveTracked(std::span<Netns* const> namespaces,
                                        std::vector<Listener>& listeners,
                                        InventoryStats& stats) {
  std::map<std::uint32_t, ConnectionCounter> counters;
  std::set<std::uint64_t> alive;
  int unknown = 0;
  for (Netns* netns : namespaces) {
    alive.insert(netns->id.inode);
    ConnectionCounter counter(listeners, netns->id.inode, watched_, zones_);
    if (!counter.empty() && netns->path != NetnsPath::kNetlink) {
      counter.Forget();  // cannot be entered to seed, as the dump cannot be run there
      (void)tracker_->Watch(netns->id.inode, netns->id.path, {});  // nothing new: no entry
      ++unknown;
      continue;
    }
    if (auto status = tracker_->Watch(netns->id.inode, netns->id.path, counter.Ports()); !status) {
      counter.Forget();
      ++unknown;
      log::Debug("cannot count established connections",
                 {{"netns", netns->id.label}, {"err", status.error().message}});
      continue;
    }
    if (!counter.empty()) {
      counters.emplace(static_cast<std::uint32_t>(netns->id.inode), std::move(counter));
    }
  }
  tracker_->Retain(alive);
  const auto counts = tracker_->Read();
  const std::uint64_t overflows = tracker_->overflows();
  if (!counts || overflows > 0) {
    const char* full = tracker_->counts_full() > 0
                           ? "more listener addresses × peer scopes than the counts map's 65536"
                           : "more sockets than inventory.connection_tracking_max";
    for (auto& [inode, counter] : counters) {
      counter.Forget();
    }
    overflows_total_ += overflows;
    (warned_ ? log::Debug : log::Warn)(
        "in-kernel connection tracking stopped; the connection dump counts for the next scans",
        {{"reason", counts ? full : counts.error().message}});
    warned_ = true;
    tracker_.reset();
    retry_in_ = kRetryScans;
    return false;
  }
  for (const auto& [key, count] : *counts) {
    const auto it = counters.find(key.netns);
    if (it != counters.end() && key.scope <= static_cast<std::uint8_t>(Scope::kPublic)) {
      it->second.AddCounted(FamilyOf(key.family), key.port, key.local,
                            static_cast<Scope>(key.scope), count);
    }
  }
  for (const auto& [inode, counter] : counters) {
    stats.connections_seen += counter.counted();
  }
  stats.connection_namespaces_unknown += unknown;
  return true;
}

// One filtered dump per namespace that has watched listeners.
void ConnectionObserver::ObserveDumped(std::span<Netns* const> namespaces,
                                       std::vector<Listener>& listeners,
                                       InventoryStats& stats) {
  for (Netns* netns : namespaces) {
    ConnectionCounter counter(listeners, netns->id.inode, watched_, zones_);
    if (counter.empty()) {
      continue;
    }
    const auto status = netns->sockets->DumpEstablished(
        watched_, [&](std::span<const RawSocket> batch) { counter.Add(batch); });
    if (!status) {
      counter.Forget();
      ++stats.connection_namespaces_unknown;
      if (status.error().code != ENOTSUP) {
        log::Debug("cannot dump established connections",
                   {{"netns", netns->id.label}, {"err", status.error().message}});
      }
      continue;
    }
    stats.connections_seen += counter.counted();
  }
}

}  // namespace portwarden::inventory
