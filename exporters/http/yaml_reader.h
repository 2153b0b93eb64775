#pragma once

// Position-aware reading of yaml-cpp nodes for the web config: every error reads
// "<name>:<line>:<column>: <key path>: <what>". Header-only; used by web_config.cc.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "agent/core/error.h"

namespace portwarden::exporters::http {

class YamlReader {
 public:
  /// Reads one field of a mapping: (value node, dotted key path) -> Status.
  using Fields =
      std::map<std::string, std::function<Status(const YAML::Node&, const std::string&)>>;

  /// `name` prefixes errors; relative paths read by Path() are joined with `base_dir`.
  YamlReader(std::string_view name, std::string_view base_dir) : name_(name), base_dir_(base_dir) {}

  std::unexpected<Error> Err(const YAML::Node& node,
                             const std::string& path,
                             const std::string& what) const {
    return Err(node.Mark(), path, what);
  }

  std::unexpected<Error> Err(const YAML::Mark& mark,
                             const std::string& path,
                             const std::string& what) const {
    std::string where(name_);
    if (!mark.is_null()) {
      where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    }
    return Fail(where + ": " + (path.empty() ? "" : path + ": ") + what);
  }

  // Calls the field's reader for every key of a mapping; unknown and repeated keys are errors.
  Status Map(const YAML::Node& node, const std::string& path, const Fields& fields) const {
    if (node.IsNull()) {
      return {};
    }
    if (!node.IsMap()) {
      return Err(node, path, "expected a mapping");
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      const std::string full = path.empty() ? key : path + "." + key;
      const auto field = fields.find(key);
      if (field == fields.end()) {
        return Err(entry.first, path, "unknown key \"" + key.substr(0, 64) + "\"");
      }
      if (!seen.insert(key).second) {
        return Err(entry.first, path, "key \"" + key + "\" is repeated");
      }
      if (Status status = field->second(entry.second, full); !status) {
        return status;
      }
    }
    return {};
  }

  Result<std::string> Text(const YAML::Node& node, const std::string& path) const {
    if (node.IsNull()) {
      return std::string();
    }
    if (!node.IsScalar()) {
      return Err(node, path, "expected a string");
    }
    return node.Scalar();
  }

  Status Into(std::string& out, const YAML::Node& node, const std::string& path) const {
    auto text = Text(node, path);
    if (!text) {
      return std::unexpected(text.error());
    }
    out = std::move(*text);
    return {};
  }

  Status Path(std::string& out, const YAML::Node& node, const std::string& path) const {
    return Into(out, node, path).and_then([&]() -> Status {
      if (!out.empty() && !out.starts_with('/') && !base_dir_.empty()) {
        out = std::string(base_dir_) + "/" + out;
      }
      return {};
    });
  }

  Status Bool(bool& out, const YAML::Node& node, const std::string& path) const {
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
      return Err(node, path, "expected true or false");
    }
    out = value;
    return {};
  }

  // A sequence of strings, each passed through `convert` (which may reject it).
  Status List(std::vector<std::string>& out,
              const YAML::Node& node,
              const std::string& path,
              const std::function<Result<std::string>(const std::string&)>& convert) const {
    if (node.IsNull()) {
      return {};
    }
    if (!node.IsSequence()) {
      return Err(node, path, "expected a list");
    }
    for (const auto& item : node) {
      auto text = Text(item, path);
      if (!text) {
        return std::unexpected(text.error());
      }
      auto converted = convert(*text);
      if (!converted) {
        return Err(item, path, converted.error().message);
      }
      out.push_back(std::move(*converted));
    }
    return {};
  }

  Status StringMap(std::map<std::string, std::string>& out,
                   const YAML::Node& node,
                   const std::string& path) const {
    if (node.IsNull()) {
      return {};
    }
    if (!node.IsMap()) {
      return Err(node, path, "expected a mapping");
    }
    for (const auto& entry : node) {
      auto key = Text(entry.first, path);
      auto value = key ? Text(entry.second, path + "." + *key) : key;
      if (!value) {
        return std::unexpected(value.error());
      }
      if (!out.emplace(*key, *value).second) {
        return Err(entry.first, path, "key \"" + *key + "\" is repeated");
      }
    }
    return {};
  }

 private:
  std::string_view name_;
  std::string_view base_dir_;
};

}  // namespace portwarden::exporters::http
