// Config loading: the file and its bounds through document_reader.h (shared with the
// baseline), then one reader per top-level table.
#include <string>

#include <toml++/toml.h>

#include "agent/config/config.h"
#include "agent/config/document_reader.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Status ReadDocument(const TomlReader& reader, const toml::table& root, Config& config) {
  return reader
      .CheckKeys(root, "the top level",
                 {"agent", "web", "discovery", "inventory", "endpoints", "exposure", "certificates",
                  "revocation"})
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
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "certificates", [&](const toml::node& n) {
          return ReadCertificatesSection(reader, n, config.certificates);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "revocation", [&](const toml::node& n) {
          return ReadRevocationSection(reader, n, config.revocation);
        });
      });
}

Result<Config> ParseDocument(std::string_view text, const std::string& name) {
  auto root = ParseTomlDocument(text, name);
  if (!root) {
    return std::unexpected(root.error());
  }
  Config config = Defaults();
  config.source = name;
  const TomlReader reader(name);
  if (auto status = ReadDocument(reader, *root, config); !status) {
    return std::unexpected(status.error());
  }
  if (!config.discovery.namespaces_set) {
    config.discovery.namespaces = Defaults().discovery.namespaces;
  }
  return config;
}

}  // namespace

Config Defaults() {
  Config config;
  // Every namespace: one that cannot be entered is read through a member process's /proc.
  config.discovery.namespaces = NamespaceMode::kAll;
  return config;
}

Result<Config> LoadString(std::string_view text, const std::string& name) {
  return BoundedMessage(ParseDocument(text, name));
}

Result<Config> LoadFile(const std::string& path) {
  if (path.empty()) {
    return Fail("config file path is empty");
  }
  auto text = ReadBoundedFile(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  return LoadString(*text, path);
}

}  // namespace portwarden::config
