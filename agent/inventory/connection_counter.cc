#include "agent/inventory/connection_counter.h"

#include <arpa/inet.h>

#include <algorithm>

#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

std::array<std::uint8_t, 16> BindBytes(const Listener& listener) {
  std::array<std::uint8_t, 16> bytes{};
  const int af = listener.family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
  if (::inet_pton(af, listener.address.c_str(), bytes.data()) != 1) {
    bytes.fill(0xff);  // unparsable text: matches no socket
  }
  return bytes;
}

}  // namespace

bool PortWatched(std::span<const LocalPortRange> ranges, std::uint16_t port) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const LocalPortRange& r) { return port >= r.first && port <= r.last; });
}

ConnectionCounter::ConnectionCounter(std::span<Listener> listeners,
                                     std::uint64_t netns_inode,
                                     std::span<const LocalPortRange> watched,
                                     std::span<const config::ZoneOverride> zones)
    : listeners_(listeners), zones_(zones) {
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    Listener& listener = listeners[i];
    if (listener.netns_inode != netns_inode || listener.protocol != Protocol::kTcp ||
        !PortWatched(watched, listener.port)) {
      continue;
    }
    // Sockets on one bind with different devices are separate listeners; the first counts.
    if (index_.try_emplace({listener.family, listener.port, BindBytes(listener)}, i).second) {
      listener.connections.emplace();
    }
  }
}

Listener* ConnectionCounter::Find(AddressFamily family,
                                  std::uint16_t port,
                                  const std::array<std::uint8_t, 16>& address) {
  constexpr std::array<std::uint8_t, 16> kWildcard{};
  auto it = index_.find({family, port, address});
  if (it == index_.end()) {
    it = index_.find({family, port, kWildcard});
  }
  return it == index_.end() ? nullptr : &listeners_[it->second];
}

void ConnectionCounter::Add(std::span<const RawSocket> sockets) {
  for (const RawSocket& socket : sockets) {
    Listener* listener = Find(socket.family, socket.port, socket.address);
    if (listener == nullptr) {
      continue;
    }
    const Scope scope = AddressScope({socket.family, socket.peer}, "", zones_);
    ++(*listener->connections)[static_cast<std::size_t>(scope)];
    ++counted_;
  }
}

void ConnectionCounter::AddCounted(AddressFamily family,
                                   std::uint16_t port,
                                   const std::array<std::uint8_t, 16>& address,
                                   Scope peer_scope,
                                   std::int64_t count) {
  Listener* listener = count > 0 ? Find(family, port, address) : nullptr;
  if (listener == nullptr) {
    return;
  }
  (*listener->connections)[static_cast<std::size_t>(peer_scope)] +=
      static_cast<std::uint32_t>(count);
  counted_ += static_cast<int>(count);
}

std::set<std::uint16_t> ConnectionCounter::Ports() const {
  std::set<std::uint16_t> ports;
  for (const auto& [key, i] : index_) {
    ports.insert(std::get<1>(key));
  }
  return ports;
}

void ConnectionCounter::Forget() {
  for (const auto& [key, i] : index_) {
    listeners_[i].connections.reset();
  }
  counted_ = 0;
}

}  // namespace portwarden::inventory
