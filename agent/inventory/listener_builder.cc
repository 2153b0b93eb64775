#include "agent/inventory/listener_builder.h"

#include <algorithm>
#include <string>
#include <tuple>

#include "agent/inventory/scope.h"

namespace portwarden::inventory {
namespace {

// Compares in place (std::tie holds references): building key tuples per comparison copied
// 16-byte addresses and showed up in profiles at 10,000 sockets.
auto KeyOf(const RawSocket& socket) {
  return std::tie(socket.protocol, socket.family, socket.address, socket.port, socket.ifindex);
}

// Same bind (address, device, v6only) means the same address text, interface and scope.
bool SameBind(const RawSocket& a, const RawSocket& b) {
  return a.family == b.family && a.address == b.address && a.ifindex == b.ifindex &&
         a.v6only == b.v6only;
}

// Fills a new listener (no sockets yet) in place: a Listener is large, and moving one into
// the vector showed up in cold-scan profiles. Bind-derived fields (address text, interface,
// scope) are filled by the callers below.
void InitListener(Listener& listener, const NamespaceDump& dump, const RawSocket& socket) {
  listener.protocol = socket.protocol;
  listener.family = socket.family;
  listener.port = socket.port;
  listener.netns = dump.netns.label;
  listener.netns_inode = dump.netns.inode;
  listener.netns_path = dump.netns.path;
  listener.v6only = socket.family == AddressFamily::kIpv6 ? socket.v6only : std::nullopt;
  listener.uid = socket.uid;
  listener.socket_count = 0;
}

// A TCP listener's queues are the sums over its sockets (SO_REUSEPORT workers).
void AddQueues(Listener& listener, const RawSocket& socket) {
  if (socket.protocol != Protocol::kTcp) {
    return;
  }
  const auto add = [](std::optional<std::uint32_t>& sum, std::optional<std::uint32_t> value,
                      bool first) {
    if (first) {
      sum = value;
    } else if (sum && value) {
      *sum += *value;
    } else {
      sum.reset();
    }
  };
  const bool first = listener.socket_count == 1;
  add(listener.accept_queue, socket.rqueue, first);
  add(listener.accept_queue_limit, socket.wqueue, first);
}

void AddNewListener(std::vector<Listener>& listeners,
                    const NamespaceDump& dump,
                    const RawSocket& socket,
                    std::span<const config::ZoneOverride> zones) {
  Listener& listener = listeners.emplace_back();
  InitListener(listener, dump, socket);
  listener.address = AddressText({socket.family, socket.address});
  if (socket.ifindex != 0) {
    const auto name = dump.interfaces.names.find(socket.ifindex);
    listener.interface =
        name != dump.interfaces.names.end() ? name->second : "if" + std::to_string(socket.ifindex);
  }
  listener.scope = BindScope({socket.family, socket.address}, socket.v6only.value_or(false),
                             listener.interface, dump.interfaces.addresses, zones);
}

// A listener on the same bind as the last one (same namespace): copies what the bind decides
// instead of formatting the address and computing the scope again.
void AddSameBindListener(std::vector<Listener>& listeners,
                         const NamespaceDump& dump,
                         const RawSocket& socket) {
  Listener& listener = listeners.emplace_back();
  const Listener& previous = listeners[listeners.size() - 2];
  InitListener(listener, dump, socket);
  listener.address = previous.address;
  listener.interface = previous.interface;
  listener.scope = previous.scope;
}

// Keeps the lowest pid as the canonical owner; counts holders across the merged sockets.
void AttachOwner(Listener& listener, std::uint64_t inode, const Attribution& owners) {
  const auto owner = owners.sockets.find(inode);
  if (owner == owners.sockets.end()) {
    return;
  }
  auto& process = listener.process;
  const int holders = std::max(process.holder_count, owner->second.holders);
  if (process.pid == 0 || owner->second.pid < process.pid) {
    const auto info = owners.processes.find(owner->second.pid);
    if (info != owners.processes.end()) {
      process = info->second;
    }
  }
  process.holder_count = holders;
}

}  // namespace

// Sorting indices by key and walking runs of equal keys avoids a node per listener: at
// 10,000 listeners a std::map plus a final sort of fat Listener objects cost more than the
// kernel dump itself.
std::vector<Listener> MergeSockets(std::span<const NamespaceDump> dumps,
                                   std::span<const config::ZoneOverride> zones) {
  std::vector<const NamespaceDump*> ordered;
  std::size_t total = 0;
  for (const auto& dump : dumps) {
    ordered.push_back(&dump);
    total += dump.sockets.size();
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto* a, const auto* b) { return a->netns.label < b->netns.label; });
  std::vector<Listener> listeners;
  listeners.reserve(total);
  std::vector<std::uint32_t> index;
  for (const NamespaceDump* dump : ordered) {
    const auto& sockets = dump->sockets;
    index.resize(sockets.size());
    for (std::uint32_t i = 0; i < index.size(); ++i) {
      index[i] = i;
    }
    std::stable_sort(index.begin(), index.end(), [&](std::uint32_t a, std::uint32_t b) {
      return KeyOf(sockets[a]) < KeyOf(sockets[b]);
    });
    const RawSocket* bind_head = nullptr;  // first socket of the current run of one bind
    for (std::size_t i = 0; i < index.size(); ++i) {
      const RawSocket& socket = sockets[index[i]];
      if (i == 0 || KeyOf(sockets[index[i - 1]]) != KeyOf(socket)) {
        if (bind_head != nullptr && SameBind(*bind_head, socket)) {
          AddSameBindListener(listeners, *dump, socket);
        } else {
          AddNewListener(listeners, *dump, socket, zones);
          bind_head = &socket;
        }
      }
      ++listeners.back().socket_count;
      listeners.back().inodes.push_back(socket.inode);
      AddQueues(listeners.back(), socket);
    }
  }
  return listeners;
}

void AttachOwners(std::span<Listener> listeners, const Attribution& owners) {
  for (auto& listener : listeners) {
    for (const auto inode : listener.inodes) {
      AttachOwner(listener, inode, owners);
    }
  }
}

std::vector<Listener> BuildListeners(std::span<const NamespaceDump> dumps,
                                     const Attribution& owners,
                                     std::span<const config::ZoneOverride> zones) {
  auto listeners = MergeSockets(dumps, zones);
  AttachOwners(listeners, owners);
  return listeners;
}

}  // namespace portwarden::inventory
