#include "agent/policy/change_tracker.h"

#include <algorithm>
#include <tuple>

namespace portwarden::policy {

std::string KeyOf(const inventory::Listener& listener) {
  std::string key = listener.netns;
  key += listener.protocol == Protocol::kTcp ? "\nt\n" : "\nu\n";
  key += listener.address;
  key += '\n';
  key += std::to_string(listener.port);
  return key;
}

// Known listeners move from the old map into the new one (node handles, no copies), so what
// is left in the old map afterwards is exactly what disappeared. O(listeners) per scan.
ChangeSet ChangeTracker::Update(std::span<const inventory::Listener> listeners,
                                std::span<const Verdict> verdicts,
                                double now,
                                std::vector<double>& first_seen) {
  ChangeSet changes;
  changes.baseline = !initialised_;
  std::unordered_map<std::string, Known> current;
  current.reserve(listeners.size());
  std::unordered_set<std::string> violating;
  first_seen.assign(listeners.size(), now);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const inventory::Listener& listener = listeners[i];
    std::string key = KeyOf(listener);
    if (auto node = known_.extract(key); !node.empty()) {
      first_seen[i] = node.mapped().first_seen;
      node.mapped().listener.process = listener.process;
      node.mapped().listener.scope = listener.scope;
      current.insert(std::move(node));
    } else if (auto seen = current.find(key); seen != current.end()) {
      first_seen[i] = seen->second.first_seen;  // a duplicate within one scan: not new
    } else {
      if (initialised_) {
        changes.appeared.push_back(&listener);
      }
      Known known{now, listener};
      known.listener.inodes.clear();
      current.emplace(key, std::move(known));
    }
    if (i < verdicts.size() && verdicts[i].violation) {
      std::string entry = std::move(key) + '\n' + verdicts[i].rule;
      if (!violating_.contains(entry)) {
        changes.new_violations.emplace_back(&listener, &verdicts[i]);
      }
      violating.insert(std::move(entry));
    }
  }
  for (auto& [key, known] : known_) {
    changes.disappeared.push_back(std::move(known.listener));
  }
  std::sort(changes.disappeared.begin(), changes.disappeared.end(),
            [](const inventory::Listener& a, const inventory::Listener& b) {
              return std::tie(a.netns, a.protocol, a.address, a.port) <
                     std::tie(b.netns, b.protocol, b.address, b.port);
            });
  appeared_total_ += changes.appeared.size();
  disappeared_total_ += changes.disappeared.size();
  known_ = std::move(current);
  violating_ = std::move(violating);
  initialised_ = true;
  return changes;
}

std::vector<double> ChangeTracker::FirstSeen(std::span<const inventory::Listener> listeners,
                                             double now) const {
  std::vector<double> out(listeners.size(), now);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    if (const auto known = known_.find(KeyOf(listeners[i])); known != known_.end()) {
      out[i] = known->second.first_seen;
    }
  }
  return out;
}

}  // namespace portwarden::policy
