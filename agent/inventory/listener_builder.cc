#include "agent/inventory/listener_builder.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

using Key =
    std::tuple<Protocol, AddressFamily, std::array<std::uint8_t, 16>, std::uint16_t, std::uint32_t>;

Listener NewListener(const NamespaceDump& dump, const RawSocket& socket) {
  Listener listener;
  listener.protocol = socket.protocol;
  listener.family = socket.family;
  listener.address = AddressText({socket.family, socket.address});
  listener.port = socket.port;
  listener.netns = dump.netns.label;
  listener.netns_inode = dump.netns.inode;
  listener.netns_path = dump.netns.path;
  if (socket.ifindex != 0) {
    const auto name = dump.interfaces.names.find(socket.ifindex);
    listener.interface =
        name != dump.interfaces.names.end() ? name->second : "if" + std::to_string(socket.ifindex);
  }
  listener.v6only = socket.family == AddressFamily::kIpv6 ? socket.v6only : std::nullopt;
  listener.uid = socket.uid;
  listener.socket_count = 0;
  return listener;
}

void AddSocket(Listener& listener,
               const RawSocket& socket,
               const std::unordered_map<std::uint64_t, ProcessInfo>& owners) {
  ++listener.socket_count;
  listener.inodes.push_back(socket.inode);
  const auto owner = owners.find(socket.inode);
  if (owner == owners.end()) {
    return;
  }
  // Keep the lowest pid as the canonical owner; count distinct holders across sockets.
  if (listener.process.pid == 0 || owner->second.pid < listener.process.pid) {
    const int holders = std::max(listener.process.holder_count, owner->second.holder_count);
    listener.process = owner->second;
    listener.process.holder_count = holders;
  }
}

}  // namespace

std::vector<Listener> BuildListeners(std::span<const NamespaceDump> dumps,
                                     const std::unordered_map<std::uint64_t, ProcessInfo>& owners,
                                     std::span<const config::ZoneOverride> zones) {
  std::vector<Listener> listeners;
  for (const auto& dump : dumps) {
    std::map<Key, Listener> merged;  // ordered: proto, family, address bytes, port
    for (const auto& socket : dump.sockets) {
      const Key key{socket.protocol, socket.family, socket.address, socket.port, socket.ifindex};
      auto it = merged.find(key);
      if (it == merged.end()) {
        it = merged.emplace(key, NewListener(dump, socket)).first;
      }
      AddSocket(it->second, socket, owners);
    }
    for (auto& [key, listener] : merged) {
      const IpAddress bind{listener.family, std::get<2>(key)};
      listener.scope = BindScope(bind, listener.v6only.value_or(false), listener.interface,
                                 dump.interfaces.addresses, zones);
      listeners.push_back(std::move(listener));
    }
  }
  std::stable_sort(listeners.begin(), listeners.end(),
                   [](const Listener& a, const Listener& b) { return a.netns < b.netns; });
  return listeners;
}

}  // namespace portwarden::inventory
