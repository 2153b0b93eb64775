#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"

namespace portwarden::policy {

/// A listener's identity across scans: (netns, proto, address, port), flattened into one
/// string for cheap hashing. Process and scope are attributes: a restart under a new pid is
/// the same listener.
std::string KeyOf(const inventory::Listener& listener);

/// What changed between two scans. Pointers refer into the scan passed to Update, or, for
/// `disappeared`, copies the tracker kept from earlier scans.
struct ChangeSet {
  bool baseline = false;  ///< The first scan: everything is "seen", nothing "appeared".
  std::vector<const inventory::Listener*> appeared;
  std::vector<inventory::Listener> disappeared;
  /// Listeners violating a rule they did not violate (under that rule) in the previous scan.
  std::vector<std::pair<const inventory::Listener*, const Verdict*>> new_violations;
};

/// Remembers listeners between scans: first-seen timestamps, cumulative appeared /
/// disappeared counts, and which listeners were violating. The first scan is the baseline:
/// its listeners are not counted as appeared (a restart of the agent is not a change on the
/// host), but its violations are new. Not thread-safe; owned by one PolicyEngine.
class ChangeTracker {
 public:
  /// Feeds one successful scan; verdicts[i] belongs to listeners[i]. Returns the changes and
  /// fills first_seen (Unix seconds, one per listener).
  ChangeSet Update(std::span<const inventory::Listener> listeners,
                   std::span<const Verdict> verdicts,
                   double now,
                   std::vector<double>& first_seen);

  /// First-seen timestamps for listeners without updating anything (failed scans).
  std::vector<double> FirstSeen(std::span<const inventory::Listener> listeners, double now) const;

  std::uint64_t appeared_total() const { return appeared_total_; }

  std::uint64_t disappeared_total() const { return disappeared_total_; }

 private:
  struct Known {
    double first_seen = 0;
    inventory::Listener listener;  ///< As last seen (without inodes), for "disappeared".
  };

  bool initialised_ = false;
  std::unordered_map<std::string, Known> known_;
  std::unordered_set<std::string> violating_;  ///< KeyOf(listener) + '\n' + rule
  std::uint64_t appeared_total_ = 0;
  std::uint64_t disappeared_total_ = 0;
};

}  // namespace portwarden::policy
