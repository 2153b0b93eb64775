#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "agent/core/duration.h"
#include "agent/core/error.h"

namespace portwarden::config {

/// Typed, position-aware access to a parsed TOML document. Every error names the file,
/// the line and column of the offending node, and the dotted key, e.g.
///   portwarden.toml:3:17: agent.scan_interval: duration must be positive
/// Section parsers (one file per top-level table) are built on this. Not thread-safe;
/// used only while loading.
class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  /// "<file>:<line>:<column>: <key>: <message>" (key omitted when empty).
  Error ErrorAt(const toml::node& node, std::string_view key, std::string_view message) const;

  /// Rejects keys of `table` not in `allowed`; `section` names the table in the message.
  Status CheckKeys(const toml::table& table,
                   std::string_view section,
                   std::initializer_list<std::string_view> allowed) const;

  Result<std::string> String(const toml::node& node, std::string_view key) const;
  Result<std::string> NonEmptyString(const toml::node& node, std::string_view key) const;
  /// A non-empty path the agent can read now (CA bundles, client certificates).
  Result<std::string> ReadableFile(const toml::node& node, std::string_view key) const;
  Result<bool> Bool(const toml::node& node, std::string_view key) const;
  Result<std::int64_t> Integer(const toml::node& node,
                               std::string_view key,
                               std::int64_t min,
                               std::int64_t max) const;
  Result<double> Number(const toml::node& node, std::string_view key, double min, double max) const;
  Result<std::uint16_t> Port(const toml::node& node, std::string_view key) const;
  /// A Prometheus duration string that must be greater than zero.
  Result<Duration> PositiveDuration(const toml::node& node, std::string_view key) const;
  Result<std::vector<std::string>> StringArray(const toml::node& node, std::string_view key) const;
  Result<std::vector<std::uint16_t>> PortArray(const toml::node& node, std::string_view key) const;
  /// The node as a table, or an error if it is something else.
  Result<const toml::table*> Table(const toml::node& node, std::string_view key) const;
  /// The node as an array of tables (`[[x]]`), or an error.
  Result<std::vector<const toml::table*>> TableArray(const toml::node& node,
                                                     std::string_view key) const;

  /// Runs `read` on table[key] when present; absent keys leave the default untouched.
  static Status IfPresent(const toml::table& table,
                          std::string_view key,
                          const std::function<Status(const toml::node&)>& read) {
    if (const toml::node* node = table.get(key)) {
      return read(*node);
    }
    return {};
  }

  /// When table[key] exists, parses it with `parse(node)` (returning Result<T>) into `field`.
  template <typename T, typename Parse>
  static Status Assign(const toml::table& table, std::string_view key, T& field, Parse&& parse) {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      return {};
    }
    auto value = parse(*node);
    if (!value) {
      return std::unexpected(value.error());
    }
    field = static_cast<T>(std::move(*value));
    return {};
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

/// "string", "integer", "table", ... for messages.
std::string_view TypeName(const toml::node& node);

}  // namespace portwarden::config
