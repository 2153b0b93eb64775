#include "agent/discovery/discovery.h"

#include <unistd.h>

#include <algorithm>
#include <optional>

#include "agent/config/cidr.h"
#include "agent/core/host_port.h"
#include "agent/core/log.h"
#include "agent/inventory/scope.h"

namespace portwarden::discovery {
namespace {

std::string LoopbackFor(const std::string& address) {
  if (address == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (address == "::" || address == "::ffff:0.0.0.0") {
    return "::1";
  }
  return address;
}

// An address of `family` that a peer outside the namespace can connect to: not loopback, and
// not IPv6 link-local (that needs a zone the agent's namespace does not have).
std::optional<IpAddress> OutsideAddress(std::span<const IpAddress> addresses,
                                        AddressFamily family) {
  for (const auto& address : addresses) {
    const Scope scope = inventory::ClassifyAddress(address);
    if (address.family == family && scope != Scope::kLoopback &&
        !(family == AddressFamily::kIpv6 && scope == Scope::kLinkLocal)) {
      return address;
    }
  }
  return std::nullopt;
}

// Where to connect from the agent's namespace to a listener in one it cannot enter.
Result<std::string> ReachableHost(const inventory::Listener& listener,
                                  const inventory::NamespaceView& view,
                                  TargetState& state) {
  state = TargetState::kNoAddress;
  const auto bind = config::ParseIpAddress(listener.address);  // IPv4-mapped becomes IPv4
  if (!bind) {
    return Fail("unparsable bind address " + listener.address);
  }
  if (inventory::ClassifyAddress(*bind) == Scope::kLoopback) {
    state = TargetState::kLoopbackOnly;
    return Fail("bound to loopback");
  }
  std::optional<IpAddress> chosen = *bind;
  if (inventory::IsWildcard(*bind)) {
    chosen = OutsideAddress(view.addresses, bind->family);
    if (!chosen && bind->family == AddressFamily::kIpv6 && listener.v6only != true) {
      chosen = OutsideAddress(view.addresses, AddressFamily::kIpv4);  // dual-stack wildcard
    }
  } else if (bind->family == AddressFamily::kIpv6 &&
             inventory::ClassifyAddress(*bind) == Scope::kLinkLocal) {
    chosen.reset();
  }
  if (!chosen) {
    return Fail("no address outside the namespace");
  }
  state = TargetState::kViaAddress;
  return inventory::AddressText(*chosen);
}

const inventory::NamespaceView* FindView(std::span<const inventory::NamespaceView> namespaces,
                                         const inventory::Listener& listener) {
  for (const auto& view : namespaces) {
    if (view.inode == listener.netns_inode && view.label == listener.netns) {
      return &view;
    }
  }
  return nullptr;
}

probe::ProbeTarget NewTarget(const inventory::Listener& listener,
                             const config::DiscoverySettings& settings,
                             const std::string& sni) {
  probe::ProbeTarget target;
  target.source = probe::TargetSource::kDiscovered;
  target.endpoint.port = listener.port;
  target.endpoint.server_name = sni;
  target.endpoint.ca_file = settings.ca_file;
  target.endpoint.ca_path = settings.ca_path;
  target.endpoint.http = settings.http;
  target.endpoint.max_addresses = 1;
  target.netns = listener.netns;
  return target;
}

}  // namespace

std::string_view TargetStateName(TargetState state) {
  switch (state) {
    case TargetState::kInside:
      return "probed_inside";
    case TargetState::kViaAddress:
      return "probed_via_address";
    case TargetState::kLoopbackOnly:
      return "not_probed_loopback";
    case TargetState::kNoAddress:
      return "not_probed_no_address";
  }
  return "not_probed_no_address";
}

std::string HostName() {
  char name[256] = {};
  return ::gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
}

Discovery DiscoverTargets(std::span<const inventory::Listener> listeners,
                          std::span<const inventory::NamespaceView> namespaces,
                          const config::DiscoverySettings& settings,
                          std::string_view host_name) {
  Discovery out;
  out.stats.enabled = settings.enabled;
  if (!settings.enabled) {
    return out;
  }
  const auto& ports = settings.tls_ports;
  const std::string sni =
      settings.server_name.empty() ? std::string(host_name) : settings.server_name;
  for (const auto& listener : listeners) {
    if (listener.protocol != Protocol::kTcp ||
        std::find(ports.begin(), ports.end(), listener.port) == ports.end()) {
      continue;
    }
    const bool own_netns = listener.netns_path.empty() || listener.netns == "host";
    const auto* view = own_netns ? nullptr : FindView(namespaces, listener);
    auto target = NewTarget(listener, settings, sni);
    TargetState state = TargetState::kInside;
    if (view == nullptr || view->entered) {
      target.endpoint.host = LoopbackFor(listener.address);
      target.netns_path = own_netns ? "" : listener.netns_path;
    } else if (auto host = ReachableHost(listener, *view, state)) {
      target.endpoint.host = *host;  // connect from the agent's own namespace
    } else {
      ++out.stats.by_state[static_cast<std::size_t>(state)];
      out.unprobed.push_back({listener.netns + "/" + JoinHostPort(listener.address, listener.port),
                              listener.netns, state});
      continue;
    }
    ++out.stats.by_state[static_cast<std::size_t>(state)];
    const std::string host_port = JoinHostPort(target.endpoint.host, listener.port);
    // Namespaces reuse addresses (every container has 127.0.0.1): name the namespace.
    target.endpoint.target = own_netns ? host_port : listener.netns + "/" + host_port;
    out.targets.push_back(std::move(target));
  }
  return out;
}

void UnprobedLog::Note(const std::vector<UnprobedListener>& unprobed) {
  std::set<std::string> now;
  for (const auto& listener : unprobed) {
    now.insert(listener.target);
    if (!logged_.contains(listener.target)) {
      log::Info(listener.state == TargetState::kLoopbackOnly
                    ? "discovered TLS listener not probed: bound to loopback in a network "
                      "namespace the agent cannot enter"
                    : "discovered TLS listener not probed: its network namespace, which the "
                      "agent cannot enter, has no address reachable from outside it",
                {{"target", listener.target},
                 {"netns", listener.netns},
                 {"state", std::string(TargetStateName(listener.state))}});
    }
  }
  logged_ = std::move(now);
}

}  // namespace portwarden::discovery
