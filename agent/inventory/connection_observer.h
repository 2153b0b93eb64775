#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/inventory/listener.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

class BpfConnectionTracker;
struct Netns;

/// Phase 4 of a scan: the established connections of the watched listeners, by peer scope
/// (Listener::connections). Counted in the kernel by a BpfConnectionTracker kept across
/// scans when it can be loaded (a read of O(listener addresses)); else, and for any scan in
/// which the tracker overflowed or could not be read, one in-kernel-filtered sock_diag dump
/// per namespace (a walk of the established hash). Not thread-safe.
class ConnectionObserver {
 public:
  ConnectionObserver();
  ~ConnectionObserver();
  ConnectionObserver(const ConnectionObserver&) = delete;
  ConnectionObserver& operator=(const ConnectionObserver&) = delete;

  /// The watched local ports (normalized); empty counts nothing.
  void SetWatchedPorts(std::vector<LocalPortRange> ports) { watched_ = std::move(ports); }

  /// The tracker's bound (0: the dump only) and the peer-scope zones; a change drops the
  /// tracker, which is rebuilt (and re-seeded) at the next Observe().
  void Apply(std::size_t tracking_max, std::vector<config::ZoneOverride> zones);

  /// Counts into `listeners` for each of `namespaces` (those of this scan).
  void Observe(std::span<Netns* const> namespaces,
               std::vector<Listener>& listeners,
               InventoryStats& stats);

 private:
  bool EnsureTracker();
  bool ObserveTracked(std::span<Netns* const> namespaces,
                      std::vector<Listener>& listeners,
                      InventoryStats& stats);
  void ObserveDumped(std::span<Netns* const> namespaces,
                     std::vector<Listener>& listeners,
                     InventoryStats& stats);
  void LogMode(const std::string& mode, const Error& why);

  std::vector<LocalPortRange> watched_;
  std::size_t tracking_max_ = 0;
  std::vector<config::ZoneOverride> zones_;
  std::unique_ptr<BpfConnectionTracker> tracker_;
  int retry_in_ = 0;  // scans before the next attempt to build a tracker
  std::uint64_t overflows_total_ = 0;
  std::string logged_;   // the mode and reason last logged
  bool warned_ = false;  // an overflow was logged (later ones are debug lines)
};

}  // namespace portwarden::inventory
