#include "agent/firewall/listener_verdicts.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <tuple>

#include "agent/firewall/evaluate.h"
#include "agent/inventory/scope.h"

namespace portwarden::firewall {
namespace {

struct Bind {
  bool ipv6 = false;
  bool wildcard = false;
  bool loopback = false;
  U128 value = 0;
};

std::optional<Bind> ParseBind(const inventory::Listener& listener) {
  std::uint8_t bytes[16] = {};
  const bool v6 = listener.family == AddressFamily::kIpv6;
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, listener.address.c_str(), bytes) != 1) {
    return std::nullopt;
  }
  Bind bind{v6, false, false, AddressValue(bytes, v6 ? 16 : 4)};
  bind.wildcard = bind.value == 0;
  bind.loopback = v6 ? bind.value == 1 : bytes[0] == 127;
  return bind;
}

bool IsLoopback(const IpAddress& address) {
  return address.family == AddressFamily::kIpv4 ? address.bytes[0] == 127
                                                : AddressValue(address.bytes.data(), 16) == 1;
}

// The namespace's non-loopback addresses of one family.
IntervalSet Addresses(const inventory::NamespaceView& view, bool ipv6) {
  std::vector<Interval> parts;
  for (const auto& address : view.addresses) {
    if ((address.family == AddressFamily::kIpv6) == ipv6 && !IsLoopback(address)) {
      const U128 value = AddressValue(address.bytes.data(), ipv6 ? 16 : 4);
      parts.push_back({value, value});
    }
  }
  return IntervalSet(std::move(parts));
}

std::vector<std::string> Interfaces(const inventory::NamespaceView& view) {
  std::vector<std::string> out;
  for (const auto& name : view.interfaces) {
    if (name != "lo") {
      out.push_back(name);
    }
  }
  return out;
}

// The interface a connection to `address` leaves by: the one whose configured prefix holds it,
// the longest prefix winning, as the connected routes do. Empty when none holds it or two
// interfaces hold it with the same length (then an oifname match stays unknown).
std::string RouteInterface(const inventory::NamespaceView& view, bool ipv6, U128 address) {
  std::string found;
  int best = -1;
  bool tie = false;
  for (const auto& prefix : view.prefixes) {
    const int bits = ipv6 ? 128 : 32;
    if ((prefix.address.family == AddressFamily::kIpv6) != ipv6 || prefix.length > bits) {
      continue;
    }
    const U128 base = AddressValue(prefix.address.bytes.data(), ipv6 ? 16 : 4);
    const Interval net = IntervalSet::Prefix(base, prefix.length, bits);
    if (address < net.lo || address > net.hi) {
      continue;
    }
    if (prefix.length > best) {
      best = prefix.length, found = prefix.interface, tie = false;
    } else if (prefix.length == best && prefix.interface != found) {
      tie = true;
    }
  }
  return tie ? std::string() : found;
}

Scope WidestScope(const inventory::NamespaceView& view) {
  Scope widest = Scope::kLoopback;
  for (const auto& address : view.addresses) {
    widest = std::max(widest, inventory::ClassifyAddress(address));
  }
  return widest;
}

// Evaluates both source classes; keeps the first unknown reason.
struct Pair {
  Verdict from_public = Verdict::kDrop;
  Verdict from_private = Verdict::kDrop;
  std::string reason;

  void Join(const Pair& other, bool both_needed) {
    const auto combine = [&](Verdict a, Verdict b) {
      return both_needed ? std::min(a, b) : std::max(a, b);
    };
    from_public = combine(from_public, other.from_public);
    from_private = combine(from_private, other.from_private);
    if (reason.empty()) {
      reason = other.reason;
    }
  }
};

Pair EvaluateClasses(const Ruleset& ruleset, PacketClass packets) {
  Pair out;
  packets.sources = PublicSources(packets.ipv6);
  const auto from_public = Evaluate(ruleset, packets);
  packets.sources = PrivateSources(packets.ipv6);
  const auto from_private = Evaluate(ruleset, packets);
  out.from_public = from_public.verdict;
  out.from_private = from_private.verdict;
  out.reason = !from_public.reason.empty() ? from_public.reason : from_private.reason;
  return out;
}

// Both classes for every port at once: one walk per class instead of one per listener.
struct PortPair {
  PortEvaluation from_public;
  PortEvaluation from_private;

  Pair At(std::uint16_t port) const {
    const auto pub = from_public.At(port);
    const auto priv = from_private.At(port);
    return {pub.verdict, priv.verdict, !pub.reason.empty() ? pub.reason : priv.reason};
  }
};

PortPair EvaluateAllPorts(const Ruleset& ruleset, PacketClass packets) {
  packets.ports = IntervalSet({{0, 65535}});
  PortPair out;
  packets.sources = PublicSources(packets.ipv6);
  out.from_public = EvaluatePorts(ruleset, packets);
  packets.sources = PrivateSources(packets.ipv6);
  out.from_private = EvaluatePorts(ruleset, packets);
  return out;
}

class ListenerEvaluator {
 public:
  ListenerEvaluator(std::span<const inventory::NamespaceView> namespaces, const Rulesets& rulesets)
      : namespaces_(namespaces), rulesets_(rulesets) {
    for (const auto& view : namespaces_) {
      by_label_.emplace(view.label, &view);
    }
    for (const auto& view : namespaces_) {
      if (const auto* rules = RulesetOf(view); rules != nullptr) {
        for (const auto& publication : Publications(*rules)) {
          publications_.push_back({&view, publication});
        }
      }
    }
  }

  ListenerFirewall Run(const inventory::Listener& listener) const;

 private:
  const inventory::NamespaceView* Find(const std::string& label) const {
    const auto it = by_label_.find(label);
    return it == by_label_.end() ? nullptr : it->second;
  }

  const Ruleset* RulesetOf(const inventory::NamespaceView& view) const {
    const auto it = rulesets_.find(view.inode);
    return it != rulesets_.end() && it->second.ruleset ? &*it->second.ruleset : nullptr;
  }

  // One family of a listener's input path in its own namespace.
  // `bind` names `destinations` for the cache: the bind address, 0 for a wildcard.
  Pair Direct(const inventory::Listener& listener,
              const inventory::NamespaceView& view,
              bool ipv6,
              U128 bind,
              const IntervalSet& destinations) const;
  Pair Published(const inventory::Listener& listener,
                 const inventory::NamespaceView& view,
                 const inventory::NamespaceView& publisher,
                 const Publication& publication) const;

  std::span<const inventory::NamespaceView> namespaces_;
  const Rulesets& rulesets_;
  std::map<std::string, const inventory::NamespaceView*> by_label_;
  /// DNAT rules of every namespace (usually the host's), with the namespace that holds them.
  std::vector<std::pair<const inventory::NamespaceView*, Publication>> publications_;
  /// Evaluations by (namespace, bind, IPv6, protocol): listeners that differ only by port
  /// share one walk.
  mutable std::map<std::tuple<std::uint64_t, U128, bool, Protocol>, PortPair> cache_;
};

Pair ListenerEvaluator::Direct(const inventory::Listener& listener,
                               const inventory::NamespaceView& view,
                               bool ipv6,
                               U128 bind,
                               const IntervalSet& destinations) const {
  const auto it = rulesets_.find(view.inode);
  if (it == rulesets_.end() || !it->second.ruleset) {
    const std::string why =
        it == rulesets_.end() ? "ruleset not read" : it->second.ruleset.error().message;
    return {Verdict::kUnknown, Verdict::kUnknown, why};
  }
  if (const auto& legacy = ipv6 ? it->second.legacy_v6_error : it->second.legacy_v4_error;
      !legacy.empty()) {
    return {Verdict::kUnknown, Verdict::kUnknown, legacy};
  }
  const auto key = std::make_tuple(view.inode, bind, ipv6, listener.protocol);
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    PacketClass packets;
    packets.ipv6 = ipv6;
    packets.protocol = listener.protocol;
    packets.destinations = destinations;
    packets.interfaces = Interfaces(view);
    packets.local = Addresses(view, ipv6);
    cached = cache_.emplace(key, EvaluateAllPorts(*it->second.ruleset, std::move(packets))).first;
  }
  return cached->second.At(listener.port);
}

Pair ListenerEvaluator::Published(const inventory::Listener& listener,
                                  const inventory::NamespaceView& view,
                                  const inventory::NamespaceView& publisher,
                                  const Publication& publication) const {
  const IntervalSet target({{publication.address, publication.address}});
  Pair inside = Direct(listener, view, publication.ipv6, publication.address, target);
  PacketClass packets;
  packets.ipv6 = publication.ipv6;
  packets.protocol = publication.protocol;
  packets.port = publication.public_port;
  packets.destinations = Addresses(publisher, publication.ipv6);
  packets.interfaces = Interfaces(publisher);
  packets.local = packets.destinations;
  packets.output_interface = RouteInterface(publisher, publication.ipv6, publication.address);
  packets.dnat = DnatTarget{target, listener.port};
  Pair host = EvaluateClasses(*RulesetOf(publisher), std::move(packets));
  host.Join(inside, /*both_needed=*/true);
  return host;
}

ListenerFirewall ListenerEvaluator::Run(const inventory::Listener& listener) const {
  ListenerFirewall out;
  const inventory::NamespaceView* view = Find(listener.netns);
  const auto bind = ParseBind(listener);
  if (view == nullptr || !bind) {
    out.reason = "namespace or address not known";
    return out;
  }
  if (bind->loopback) {  // the kernel drops loopback destinations arriving from outside
    out.from_public = out.from_private = Verdict::kDrop;
    return out;
  }
  const auto destinations = [&](bool ipv6) {
    return bind->wildcard ? Addresses(*view, ipv6) : IntervalSet({{bind->value, bind->value}});
  };
  Pair verdicts = Direct(listener, *view, bind->ipv6, bind->value, destinations(bind->ipv6));
  if (bind->ipv6 && bind->wildcard && !listener.v6only.value_or(false)) {
    verdicts.Join(Direct(listener, *view, false, 0, destinations(false)), /*both_needed=*/false);
  }
  // A published listener's namespace (a container's) is reached through the publisher: its
  // verdict is what the publications let through, not what its own interfaces would accept
  // from any source (a route to the container's address from outside is not modelled).
  std::optional<Pair> published;
  for (const auto& [publisher, publication] : publications_) {
    if (publisher != view && publication.protocol == listener.protocol &&
        publication.port == listener.port &&
        destinations(publication.ipv6).Contains(publication.address)) {
      const Pair through = Published(listener, *view, *publisher, publication);
      if (published) {
        published->Join(through, /*both_needed=*/false);
      } else {
        published = through;
      }
      out.published = true;
      out.published_scope = std::max(out.published_scope, WidestScope(*publisher));
    }
  }
  if (published) {
    verdicts = *published;
  }
  out.from_public = verdicts.from_public;
  out.from_private = verdicts.from_private;
  if (out.from_public == Verdict::kUnknown || out.from_private == Verdict::kUnknown) {
    out.reason = verdicts.reason;
  }
  return out;
}

}  // namespace

std::vector<ListenerFirewall> EvaluateListeners(
    std::span<const inventory::Listener> listeners,
    std::span<const inventory::NamespaceView> namespaces,
    const Rulesets& rulesets) {
  const ListenerEvaluator evaluator(namespaces, rulesets);
  std::vector<ListenerFirewall> out;
  out.reserve(listeners.size());
  for (const auto& listener : listeners) {
    out.push_back(evaluator.Run(listener));
  }
  return out;
}

std::vector<ListenerFirewall> EvaluateListenersAt(
    std::span<const inventory::Listener> listeners,
    std::span<const inventory::NamespaceView> namespaces,
    const Rulesets& rulesets,
    std::span<const std::size_t> indices) {
  const ListenerEvaluator evaluator(namespaces, rulesets);
  std::vector<ListenerFirewall> out;
  out.reserve(indices.size());
  for (const std::size_t i : indices) {
    out.push_back(evaluator.Run(listeners[i]));
  }
  return out;
}

}  // namespace portwarden::firewall
