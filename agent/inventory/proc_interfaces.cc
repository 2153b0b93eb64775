#include "agent/inventory/proc_interfaces.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "agent/core/text_sanitize.h"
#include "agent/inventory/proc_text.h"

namespace portwarden::inventory {
namespace {

// Calls `fn` with each line of `text` (without its newline).
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    fn(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) {
      return fields;
    }
    line.remove_prefix(start);
    const auto end = std::min(line.find_first_of(" \t"), line.size());
    fields.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
}

bool Hex32(std::string_view text, std::uint32_t& value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

// /proc/net/route prints each address as the native-endian word of its network-order bytes.
IpAddress RouteAddress(std::uint32_t word) {
  IpAddress address;
  std::memcpy(address.bytes.data(), &word, 4);
  return address;
}

int MaskBits(std::uint32_t word) {
  return __builtin_popcount(word);
}

}  // namespace

Status ParseIfInet6(std::string_view text, InterfaceTable& table) {
  int line_number = 0;
  Status status;
  ForEachLine(text, [&](std::string_view line) {
    ++line_number;
    const auto fields = Fields(line);
    if (fields.empty() || !status) {
      return;
    }
    std::uint32_t ifindex = 0;
    if (fields.size() < 6 || fields[0].size() != 32 || !Hex32(fields[1], ifindex)) {
      status = Fail("if_inet6: malformed line " + std::to_string(line_number), EINVAL);
      return;
    }
    InterfaceAddress entry;
    entry.address.family = AddressFamily::kIpv6;
    for (std::size_t i = 0; i < 16; ++i) {
      std::uint32_t byte = 0;
      if (!Hex32(fields[0].substr(i * 2, 2), byte)) {
        status = Fail("if_inet6: malformed address at line " + std::to_string(line_number), EINVAL);
        return;
      }
      entry.address.bytes[i] = static_cast<std::uint8_t>(byte);
    }
    entry.ifindex = ifindex;
    entry.interface = text::Sanitize(fields[5], text::Kind::kInterfaceName);
    table.names[ifindex] = entry.interface;
    table.addresses.push_back(std::move(entry));
  });
  return status;
}

// The trie prints each leaf as "|-- <address>" followed by one line per prefix length it
// carries ("/32 host LOCAL" for an address of this namespace). The local table is printed
// again under "Main:" when the two share a trie, hence the deduplication.
Status ParseFibTrieLocal(std::string_view text, InterfaceTable& table) {
  std::string_view leaf;
  std::vector<std::array<std::uint8_t, 16>> seen;
  ForEachLine(text, [&](std::string_view line) {
    const auto fields = Fields(line);
    if (fields.size() == 2 && fields[0] == "|--") {
      leaf = fields[1];
      return;
    }
    if (fields.size() < 3 || fields[0] != "/32" || fields[1] != "host" || fields[2] != "LOCAL") {
      return;
    }
    const std::string address_text(leaf.substr(0, INET_ADDRSTRLEN));
    InterfaceAddress entry;
    entry.address.family = AddressFamily::kIpv4;
    if (::inet_pton(AF_INET, address_text.c_str(), entry.address.bytes.data()) != 1 ||
        std::find(seen.begin(), seen.end(), entry.address.bytes) != seen.end()) {
      return;
    }
    seen.push_back(entry.address.bytes);
    table.addresses.push_back(std::move(entry));
  });
  return {};
}

void NameIpv4Interfaces(std::string_view route_text, InterfaceTable& table) {
  struct Route {
    std::string name;
    IpAddress prefix;
    int bits;
  };

  std::vector<Route> routes;
  ForEachLine(route_text, [&](std::string_view line) {
    const auto fields = Fields(line);
    std::uint32_t destination = 0;
    std::uint32_t gateway = 0;
    std::uint32_t mask = 0;
    if (fields.size() >= 8 && Hex32(fields[1], destination) && Hex32(fields[2], gateway) &&
        Hex32(fields[7], mask) && gateway == 0) {
      routes.push_back({text::Sanitize(fields[0], text::Kind::kInterfaceName),
                        RouteAddress(destination), MaskBits(mask)});
    }
  });
  for (auto& entry : table.addresses) {
    if (entry.address.family != AddressFamily::kIpv4 || !entry.interface.empty()) {
      continue;
    }
    int best = -1;
    for (const auto& route : routes) {
      if (route.bits > best &&
          PrefixMatches(route.prefix.bytes.data(), entry.address.bytes.data(), route.bits)) {
        best = route.bits;
        entry.interface = route.name;
      }
    }
    if (entry.address.bytes[0] == 127 && entry.interface.empty()) {
      entry.interface = "lo";  // 127/8 is routed in the local table only
    }
  }
}

Result<InterfaceTable> ReadProcInterfaces(const std::string& net_dir) {
  InterfaceTable table;
  auto trie = ReadWholeFile(net_dir + "/fib_trie", 16 * 1024, kMaxFibTrieBytes);
  if (!trie) {
    return std::unexpected(trie.error());
  }
  if (auto status = ParseFibTrieLocal(*trie, table); !status) {
    return std::unexpected(status.error());
  }
  NameIpv4Interfaces(ReadWholeFile(net_dir + "/route", 4096, kMaxFibTrieBytes).value_or(""), table);
  auto inet6 = ReadWholeFile(net_dir + "/if_inet6", 4096, kMaxFibTrieBytes);
  if (!inet6 && inet6.error().code != ENOENT) {  // ENOENT: IPv6 disabled
    return std::unexpected(inet6.error());
  }
  if (auto status = ParseIfInet6(inet6.value_or(""), table); !status) {
    return std::unexpected(status.error());
  }
  return table;
}

}  // namespace portwarden::inventory
