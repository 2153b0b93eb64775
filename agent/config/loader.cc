// Config loading: the one place toml++ exceptions are caught, and the one place config bytes
// enter the agent, so the bounds on them (regular file, size, nesting) are checked here.
#include <string>

#include <toml++/toml.h>

#include "agent/config/config.h"
#include "agent/config/document_bounds.h"
#include "agent/config/excerpt.h"
#include "agent/config/sections.h"
#include "agent/core/bounded_file.h"

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
  if (auto bounded = CheckDocumentBounds(text, name); !bounded) {
    return std::unexpected(bounded.error());
  }
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

// Reads the file through the agent's one bounded reader (agent/core/bounded_file.h), which
// refuses FIFOs, devices and oversized files before a byte is read, so /dev/zero or a FIFO can
// neither grow memory nor hold the thread (and with it SIGTERM, which the reloading main
// thread also waits for).
Result<std::string> ReadBounded(const std::string& path) {
  auto file = portwarden::ReadBoundedFile(path, kMaxConfigBytes);
  if (file) {
    return std::move(file->bytes);
  }
  const FileReadError& error = file.error();
  switch (error.failure) {
    case FileReadFailure::kOpen:
      return std::unexpected(ErrnoError(error.err, path + ": cannot open config file"));
    case FileReadFailure::kStat:
      return std::unexpected(ErrnoError(error.err, path + ": cannot stat config file"));
    case FileReadFailure::kRead:
      return std::unexpected(ErrnoError(error.err, path + ": cannot read config file"));
    case FileReadFailure::kNotRegular:
      return Fail(path + ": is " + std::string(FileKind(error.mode)) +
                  "; a config file must be a regular file");
    case FileReadFailure::kTooLarge:
      break;
  }
  return Fail(path + ": " + std::to_string(error.size) +
              " bytes is more than a config file may have (" +
              std::to_string(kMaxConfigBytes / (1024 * 1024)) + " MiB)");
}

// Every message quotes a bounded, valid UTF-8 excerpt, whatever was in the file.
template <typename T>
Result<T> Bounded(Result<T> result) {
  if (!result) {
    result.error().message = Excerpt(result.error().message, kMessageChars);
  }
  return result;
}

}  // namespace

Config Defaults() {
  Config config;
  // Every namespace: one that cannot be entered is read through a member process's /proc.
  config.discovery.namespaces = NamespaceMode::kAll;
  return config;
}

Result<Config> LoadString(std::string_view text, const std::string& name) {
  return Bounded(ParseDocument(text, name));
}

Result<std::string> ReadBoundedFile(const std::string& path) {
  return Bounded(ReadBounded(path));
}

Result<Config> LoadFile(const std::string& path) {
  if (path.empty()) {
    return Fail("config file path is empty");
  }
  auto text = Bounded(ReadBounded(path));
  if (!text) {
    return std::unexpected(text.error());
  }
  return LoadString(*text, path);
}

}  // namespace portwarden::config
