// Config loading: the one place toml++ exceptions are caught.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include <toml++/toml.h>

#include "agent/config/config.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Status ReadDocument(const TomlReader& reader, const toml::table& root, Config& config) {
  return reader
      .CheckKeys(root, "the top level",
                 {"agent", "web", "discovery", "inventory", "endpoints", "exposure"})
      .and_then([&] {
        return TomlReader::IfPresent(root, "agent", [&](const toml::node& n) {
          return ReadAgentSection(reader, n, config.agent);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "web", [&](const toml::node& n) {
          return ReadWebSection(reader, n, config.web);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "discovery", [&](const toml::node& n) {
          return ReadDiscoverySection(reader, n, config.discovery);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "inventory", [&](const toml::node& n) {
          return ReadInventorySection(reader, n, config.inventory);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "endpoints", [&](const toml::node& n) {
          return ReadEndpointsSection(reader, n, config.endpoints);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "exposure", [&](const toml::node& n) {
          return ReadExposureSection(reader, n, config.exposure);
        });
      });
}

}  // namespace

Config Defaults() {
  Config config;
  // Every namespace: one that cannot be entered is read through a member process's /proc.
  config.discovery.namespaces = NamespaceMode::kAll;
  return config;
}

Result<Config> LoadString(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return Fail(name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                ": " + std::string(error.description()));
  }
  Config config = Defaults();
  config.source = name;
  const TomlReader reader(name);
  if (auto status = ReadDocument(reader, root, config); !status) {
    return std::unexpected(status.error());
  }
  if (!config.discovery.namespaces_set) {
    config.discovery.namespaces = Defaults().discovery.namespaces;
  }
  return config;
}

Result<Config> LoadFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return std::unexpected(ErrnoError(errno, path + ": cannot open config file"));
  }
  std::string text;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    text.append(buffer, n);
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    return Fail(path + ": cannot read config file");
  }
  return LoadString(text, path);
}

}  // namespace portwarden::config
