#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// Vocabulary shared by the inventory, the policy, the prober and the config.
namespace portwarden {

enum class Protocol : std::uint8_t { kTcp, kUdp };
enum class AddressFamily : std::uint8_t { kIpv4, kIpv6 };

/// How far a bound address reaches, ordered from narrowest to widest.
enum class Scope : std::uint8_t { kLoopback, kLinkLocal, kPrivate, kPublic };

std::string_view ProtocolName(Protocol protocol);        // "tcp" | "udp"
std::string_view FamilyName(AddressFamily family);       // "ipv4" | "ipv6"
std::string_view ScopeName(Scope scope);                 // "loopback" | "link_local" | ...
std::optional<Scope> ParseScope(std::string_view name);  // inverse of ScopeName
std::optional<Protocol> ParseProtocol(std::string_view name);

}  // namespace portwarden
