#include "agent/config/exposure_values.h"

#include <charconv>
#include <string>

#include "agent/config/cidr.h"
#include "agent/config/excerpt.h"

namespace portwarden::config {
namespace {

Result<std::uint16_t> ParsePortNumber(const TomlReader& reader,
                                      const toml::node& n,
                                      std::string_view key,
                                      std::string_view text) {
  int value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::unexpected(reader.ErrorAt(
        n, key, "invalid port " + Quote(text) + ": expected a number or \"low-high\""));
  }
  if (value < 1 || value > 65535) {
    return std::unexpected(
        reader.ErrorAt(n, key, "port " + std::to_string(value) + " is out of range [1, 65535]"));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

Result<PortRange> ReadPortRange(const TomlReader& reader,
                                const toml::node& n,
                                std::string_view key) {
  if (n.is_integer()) {
    auto port = reader.Port(n, key);
    if (!port) {
      return std::unexpected(port.error());
    }
    return PortRange{*port, *port};
  }
  const auto* text = n.as_string();
  if (text == nullptr) {
    return std::unexpected(reader.ErrorAt(
        n, key, "expected a port number or a \"low-high\" range, got " + std::string(TypeName(n))));
  }
  const std::string_view value = text->get();
  const auto dash = value.find('-');
  auto first = ParsePortNumber(reader, n, key, value.substr(0, dash));
  if (!first) {
    return std::unexpected(first.error());
  }
  if (dash == std::string_view::npos) {
    return PortRange{*first, *first};
  }
  auto last = ParsePortNumber(reader, n, key, value.substr(dash + 1));
  if (!last) {
    return std::unexpected(last.error());
  }
  if (*last < *first) {
    return std::unexpected(reader.ErrorAt(
        n, key, "range " + Quote(value) + " is reversed (low port must come first)"));
  }
  return PortRange{*first, *last};
}

Result<std::vector<PortRange>> ReadPortRanges(const TomlReader& reader,
                                              const toml::node& n,
                                              std::string_view key) {
  const auto* array = n.as_array();
  if (array == nullptr) {
    return std::unexpected(
        reader.ErrorAt(n, key, "expected an array of ports, got " + std::string(TypeName(n))));
  }
  std::vector<PortRange> out;
  for (const toml::node& element : *array) {
    auto range = ReadPortRange(reader, element, key);
    if (!range) {
      return std::unexpected(range.error());
    }
    out.push_back(*range);
  }
  return out;
}

Result<Scope> ReadScope(const TomlReader& reader, const toml::node& n, std::string_view key) {
  auto text = reader.String(n, key);
  if (!text) {
    return std::unexpected(text.error());
  }
  if (auto scope = ParseScope(*text)) {
    return *scope;
  }
  return std::unexpected(reader.ErrorAt(
      n, key,
      "unknown scope " + Quote(*text) + " (allowed: loopback, link_local, private, public)"));
}

Result<std::vector<Scope>> ReadScopes(const TomlReader& reader,
                                      const toml::node& n,
                                      std::string_view key) {
  const auto* array = n.as_array();
  if (array == nullptr) {
    return std::unexpected(
        reader.ErrorAt(n, key, "expected an array of scopes, got " + std::string(TypeName(n))));
  }
  std::vector<Scope> out;
  for (const toml::node& element : *array) {
    auto scope = ReadScope(reader, element, key);
    if (!scope) {
      return std::unexpected(scope.error());
    }
    out.push_back(*scope);
  }
  return out;
}

Result<Cidr> ReadCidr(const TomlReader& reader, const toml::node& n, std::string_view key) {
  auto text = reader.String(n, key);
  if (!text) {
    return std::unexpected(text.error());
  }
  auto cidr = ParseCidr(*text);
  if (!cidr) {
    return std::unexpected(reader.ErrorAt(n, key, cidr.error().message));
  }
  return cidr;
}

Result<std::vector<Cidr>> ReadCidrs(const TomlReader& reader,
                                    const toml::node& n,
                                    std::string_view key) {
  const auto* array = n.as_array();
  if (array == nullptr) {
    return std::unexpected(reader.ErrorAt(
        n, key, "expected an array of addresses or CIDRs, got " + std::string(TypeName(n))));
  }
  std::vector<Cidr> out;
  for (const toml::node& element : *array) {
    auto cidr = ReadCidr(reader, element, key);
    if (!cidr) {
      return std::unexpected(cidr.error());
    }
    out.push_back(std::move(*cidr));
  }
  return out;
}

}  // namespace portwarden::config
