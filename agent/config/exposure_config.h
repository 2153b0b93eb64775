#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/net_types.h"

namespace portwarden::config {

/// An inclusive port range; a single port has first == last.
struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

/// An IPv4 or IPv6 prefix, e.g. 10.0.0.0/8 or fd00::/8. Address bytes in network order;
/// IPv4 uses the first 4 bytes.
struct Cidr {
  AddressFamily family = AddressFamily::kIpv4;
  std::uint8_t bytes[16] = {};
  int prefix_length = 0;
  std::string text;  ///< As written in the config.
};

/// What happens to listeners no rule matched.
enum class DefaultAction : std::uint8_t { kAllow, kReport };

/// What exposure rules judge: the bind reach (the address and the namespace's interfaces) or
/// the effective reach (bind reach narrowed by the firewall's verdicts).
enum class Judge : std::uint8_t { kBind, kEffective };

/// One `[[exposure.rules]]` entry. A listener matches when every non-empty criterion matches
/// (empty lists match everything); the first matching rule decides. Names in processes,
/// executables, units and namespaces are shell globs (fnmatch).
struct ExposureRule {
  std::string name;
  std::vector<PortRange> ports;
  std::optional<Protocol> protocol;
  std::vector<std::string> processes;    ///< comm names
  std::vector<std::string> executables;  ///< absolute paths
  std::vector<std::string> units;        ///< systemd units or container ids
  std::vector<std::string> namespaces;   ///< netns labels
  std::vector<Cidr> addresses;           ///< bind address must fall in one of these
  /// Matches only when the listener's netns also has a listener of the same protocol on one
  /// of these ports (e.g. plain HTTP on 80 as the redirect companion of 443).
  std::vector<PortRange> requires_listener_on;
  std::vector<Scope> allow;  ///< scopes the listener may reach
};

/// Maps an interface or a prefix to a zone, overriding the address-based scope.
struct ZoneOverride {
  std::string interface;     ///< e.g. "eth0"; empty when cidr is set
  std::optional<Cidr> cidr;  ///< e.g. 10.0.0.0/8
  Scope scope = Scope::kPublic;
};

/// The `[exposure]` section.
struct ExposureConfig {
  bool default_rules = true;  ///< Append the built-in rules after the user's.
  DefaultAction default_action = DefaultAction::kReport;
  Judge judge = Judge::kBind;  ///< exposure.judge
  std::vector<ExposureRule> rules;
  std::vector<ZoneOverride> zones;
};

}  // namespace portwarden::config
