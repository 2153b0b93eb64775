#include "agent/policy/change_tracker.h"

#include "agent/core/log.h"

namespace portwarden::policy {
namespace {

std::string ScopeList(const std::vector<Scope>& scopes) {
  std::string out;
  for (const Scope scope : scopes) {
    if (!out.empty()) {
      out += ",";
    }
    out += ScopeName(scope);
  }
  return out.empty() ? "none" : out;
}

void LogListener(log::Level level, std::string_view msg, const inventory::Listener& l) {
  log::Write(level, msg,
             {{"netns", l.netns},
              {"proto", ProtocolName(l.protocol)},
              {"address", l.address},
              {"port", static_cast<unsigned>(l.port)},
              {"scope", ScopeName(l.scope)},
              {"process", l.process.comm},
              {"pid", l.process.pid},
              {"unit", l.process.unit}});
}

}  // namespace

ListenerKey KeyOf(const inventory::Listener& listener) {
  return {listener.netns, listener.protocol, listener.address, listener.port};
}

ChangeSet ChangeTracker::Update(std::span<const inventory::Listener> listeners,
                                std::span<const Verdict> verdicts,
                                double now,
                                std::vector<double>& first_seen) {
  ChangeSet changes;
  changes.baseline = !initialised_;
  std::map<ListenerKey, Known> current;
  std::set<std::pair<ListenerKey, std::string>> violating;
  first_seen.assign(listeners.size(), now);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const inventory::Listener& listener = listeners[i];
    ListenerKey key = KeyOf(listener);
    const auto known = known_.find(key);
    if (known != known_.end()) {
      first_seen[i] = known->second.first_seen;
    } else if (initialised_) {
      changes.appeared.push_back(&listener);
    }
    if (i < verdicts.size() && verdicts[i].violation) {
      auto entry = std::make_pair(key, verdicts[i].rule);
      if (!violating_.contains(entry)) {
        changes.new_violations.emplace_back(&listener, &verdicts[i]);
      }
      violating.insert(std::move(entry));
    }
    current.insert_or_assign(std::move(key), Known{first_seen[i], listener});
  }
  for (auto& [key, known] : known_) {
    if (!current.contains(key)) {
      changes.disappeared.push_back(std::move(known.listener));
    }
  }
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

void LogChanges(const ChangeSet& changes) {
  for (const inventory::Listener* listener : changes.appeared) {
    LogListener(log::Level::kInfo, "Listener appeared", *listener);
  }
  for (const inventory::Listener& listener : changes.disappeared) {
    LogListener(log::Level::kInfo, "Listener disappeared", listener);
  }
  for (const auto& [listener, verdict] : changes.new_violations) {
    log::Warn("Exposure violation", {{"rule", verdict->rule},
                                     {"netns", listener->netns},
                                     {"proto", ProtocolName(listener->protocol)},
                                     {"address", listener->address},
                                     {"port", static_cast<unsigned>(listener->port)},
                                     {"scope", ScopeName(listener->scope)},
                                     {"allowed", ScopeList(verdict->allowed)},
                                     {"process", listener->process.comm},
                                     {"pid", listener->process.pid},
                                     {"unit", listener->process.unit}});
  }
}

}  // namespace portwarden::policy
