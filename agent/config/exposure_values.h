#pragma once

#include <string_view>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/config/toml_reader.h"

/// Typed readers for the values of the [exposure] tables; every error carries the node's
/// file:line:column and the dotted key.
namespace portwarden::config {

/// A port is a number (443) or a string: "443" or an inclusive range "8000-8100".
Result<PortRange> ReadPortRange(const TomlReader& reader,
                                const toml::node& n,
                                std::string_view key);
Result<std::vector<PortRange>> ReadPortRanges(const TomlReader& reader,
                                              const toml::node& n,
                                              std::string_view key);
/// "loopback", "link_local", "private" or "public".
Result<Scope> ReadScope(const TomlReader& reader, const toml::node& n, std::string_view key);
Result<std::vector<Scope>> ReadScopes(const TomlReader& reader,
                                      const toml::node& n,
                                      std::string_view key);
/// An IP address or a CIDR prefix (see ParseCidr).
Result<Cidr> ReadCidr(const TomlReader& reader, const toml::node& n, std::string_view key);
Result<std::vector<Cidr>> ReadCidrs(const TomlReader& reader,
                                    const toml::node& n,
                                    std::string_view key);

}  // namespace portwarden::config
