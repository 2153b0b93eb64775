#include "agent/config/toml_reader.h"

#include <unistd.h>

#include <string>

#include "agent/config/excerpt.h"

namespace portwarden::config {
namespace {

std::string Join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (const std::string_view item : items) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

}  // namespace

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "nothing";
  }
}

Error TomlReader::ErrorAt(const toml::node& node,
                          std::string_view key,
                          std::string_view message) const {
  const auto& begin = node.source().begin;
  std::string text =
      file_ + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) + ": ";
  if (!key.empty()) {
    text += key;
    text += ": ";
  }
  text += message;
  return Error{std::move(text)};
}

Status TomlReader::CheckKeys(const toml::table& table,
                             std::string_view section,
                             std::initializer_list<std::string_view> allowed) const {
  for (auto&& [key, node] : table) {
    bool known = false;
    for (const std::string_view name : allowed) {
      known = known || key.str() == name;
    }
    if (!known) {
      std::string message = "unknown key " + Quote(key.str()) + " in " + std::string(section) +
                            " (allowed: " + Join(allowed) + ")";
      // A key's own position is more precise than its value's.
      if (key.source().begin) {
        const auto& begin = key.source().begin;
        return std::unexpected(Error{file_ + ":" + std::to_string(begin.line) + ":" +
                                     std::to_string(begin.column) + ": " + message});
      }
      return std::unexpected(ErrorAt(node, "", message));
    }
  }
  return {};
}

Result<std::string> TomlReader::String(const toml::node& node, std::string_view key) const {
  if (const auto* value = node.as_string()) {
    return value->get();
  }
  return std::unexpected(
      ErrorAt(node, key, "expected a string, got " + std::string(TypeName(node))));
}

Result<std::string> TomlReader::NonEmptyString(const toml::node& node, std::string_view key) const {
  auto text = String(node, key);
  if (text && text->empty()) {
    return std::unexpected(ErrorAt(node, key, "must not be empty"));
  }
  return text;
}

Result<std::string> TomlReader::ReadableFile(const toml::node& node, std::string_view key) const {
  auto path = NonEmptyString(node, key);
  if (path && ::access(path->c_str(), R_OK) != 0) {
    return std::unexpected(ErrorAt(node, key, "cannot read " + Quote(*path)));
  }
  return path;
}

Result<bool> TomlReader::Bool(const toml::node& node, std::string_view key) const {
  if (const auto* value = node.as_boolean()) {
    return value->get();
  }
  return std::unexpected(
      ErrorAt(node, key, "expected a boolean, got " + std::string(TypeName(node))));
}

Result<std::int64_t> TomlReader::Integer(const toml::node& node,
                                         std::string_view key,
                                         std::int64_t min,
                                         std::int64_t max) const {
  const auto* value = node.as_integer();
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(node, key, "expected an integer, got " + std::string(TypeName(node))));
  }
  if (value->get() < min || value->get() > max) {
    return std::unexpected(ErrorAt(node, key,
                                   std::to_string(value->get()) + " is out of range [" +
                                       std::to_string(min) + ", " + std::to_string(max) + "]"));
  }
  return value->get();
}

Result<double> TomlReader::Number(const toml::node& node,
                                  std::string_view key,
                                  double min,
                                  double max) const {
  double number = 0;
  if (const auto* real = node.as_floating_point()) {
    number = real->get();
  } else if (const auto* whole = node.as_integer()) {
    number = static_cast<double>(whole->get());
  } else {
    return std::unexpected(
        ErrorAt(node, key, "expected a number, got " + std::string(TypeName(node))));
  }
  if (!(number >= min && number <= max)) {
    return std::unexpected(ErrorAt(node, key,
                                   std::to_string(number) + " is out of range [" +
                                       std::to_string(min) + ", " + std::to_string(max) + "]"));
  }
  return number;
}

Result<std::uint16_t> TomlReader::Port(const toml::node& node, std::string_view key) const {
  const auto* value = node.as_integer();
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(node, key, "expected a port number, got " + std::string(TypeName(node))));
  }
  if (value->get() < 1 || value->get() > 65535) {
    return std::unexpected(
        ErrorAt(node, key, "port " + std::to_string(value->get()) + " is out of range [1, 65535]"));
  }
  return static_cast<std::uint16_t>(value->get());
}

Result<Duration> TomlReader::PositiveDuration(const toml::node& node, std::string_view key) const {
  auto text = String(node, key);
  if (!text) {
    return std::unexpected(
        ErrorAt(node, key,
                "expected a duration string such as \"15s\", got " + std::string(TypeName(node))));
  }
  auto duration = ParseDuration(*text);
  if (!duration) {
    return std::unexpected(ErrorAt(node, key, duration.error().message));
  }
  if (duration->count() <= 0) {
    return std::unexpected(ErrorAt(node, key, "duration must be greater than zero"));
  }
  return *duration;
}

Result<std::vector<std::string>> TomlReader::StringArray(const toml::node& node,
                                                         std::string_view key) const {
  const auto* array = node.as_array();
  if (array == nullptr) {
    return std::unexpected(
        ErrorAt(node, key, "expected an array of strings, got " + std::string(TypeName(node))));
  }
  std::vector<std::string> out;
  for (const toml::node& element : *array) {
    auto text = String(element, key);
    if (!text) {
      return std::unexpected(text.error());
    }
    out.push_back(std::move(*text));
  }
  return out;
}

Result<std::vector<std::uint16_t>> TomlReader::PortArray(const toml::node& node,
                                                         std::string_view key) const {
  const auto* array = node.as_array();
  if (array == nullptr) {
    return std::unexpected(
        ErrorAt(node, key, "expected an array of ports, got " + std::string(TypeName(node))));
  }
  std::vector<std::uint16_t> out;
  for (const toml::node& element : *array) {
    auto port = Port(element, key);
    if (!port) {
      return std::unexpected(port.error());
    }
    out.push_back(*port);
  }
  return out;
}

Result<const toml::table*> TomlReader::Table(const toml::node& node, std::string_view key) const {
  if (const auto* table = node.as_table()) {
    return table;
  }
  return std::unexpected(
      ErrorAt(node, key, "expected a table, got " + std::string(TypeName(node))));
}

Result<std::vector<const toml::table*>> TomlReader::TableArray(const toml::node& node,
                                                               std::string_view key) const {
  const auto* array = node.as_array();
  if (array == nullptr) {
    return std::unexpected(ErrorAt(node, key,
                                   "expected an array of tables ([[" + std::string(key) +
                                       "]]), got " + std::string(TypeName(node))));
  }
  std::vector<const toml::table*> out;
  for (const toml::node& element : *array) {
    const auto* table = element.as_table();
    if (table == nullptr) {
      return std::unexpected(
          ErrorAt(element, key, "expected a table, got " + std::string(TypeName(element))));
    }
    out.push_back(table);
  }
  return out;
}

}  // namespace portwarden::config
