// The baseline file: a TOML list of approved listeners, read with the config's TomlReader.
#include <toml++/toml.h>

#include "agent/config/baseline.h"
#include "agent/config/document_reader.h"
#include "agent/config/toml_reader.h"

namespace portwarden::config {
namespace {

constexpr std::size_t kMaxEntries = 100'000;

Result<Protocol> ReadProtocol(const TomlReader& reader, const toml::node& node) {
  auto text = reader.String(node, "listener.proto");
  if (!text) {
    return std::unexpected(text.error());
  }
  if (*text == "tcp" || *text == "udp") {
    return *text == "tcp" ? Protocol::kTcp : Protocol::kUdp;
  }
  return std::unexpected(reader.ErrorAt(node, "listener.proto", "must be \"tcp\" or \"udp\""));
}

// An optional string key into `field`.
Status OptionalString(const TomlReader& reader,
                      const toml::table& table,
                      std::string_view key,
                      std::optional<std::string>& field) {
  return TomlReader::IfPresent(table, key, [&](const toml::node& n) -> Status {
    auto text = reader.String(n, "listener." + std::string(key));
    if (!text) {
      return std::unexpected(text.error());
    }
    field = std::move(*text);
    return {};
  });
}

// A required key: present, or an error at the table itself.
template <typename T, typename Parse>
Status Required(const TomlReader& reader,
                const toml::table& table,
                std::string_view key,
                T& field,
                Parse&& parse) {
  if (table.get(key) == nullptr) {
    return std::unexpected(
        reader.ErrorAt(table, "listener", "missing key \"" + std::string(key) + "\""));
  }
  return TomlReader::Assign(table, key, field, std::forward<Parse>(parse));
}

Result<BaselineEntry> ReadEntry(const TomlReader& reader, const toml::table& t) {
  BaselineEntry entry;
  entry.line = static_cast<int>(t.source().begin.line);
  auto status =
      reader
          .CheckKeys(t, "[[listener]]",
                     {"netns", "proto", "address", "port", "process", "unit", "reach", "exposure",
                      "rule", "verdict", "first_seen"})
          .and_then([&] {
            return Required(reader, t, "netns", entry.netns, [&](const toml::node& n) {
              return reader.NonEmptyString(n, "listener.netns");
            });
          })
          .and_then([&] {
            return Required(reader, t, "proto", entry.protocol,
                            [&](const toml::node& n) { return ReadProtocol(reader, n); });
          })
          .and_then([&] {
            return Required(reader, t, "address", entry.address, [&](const toml::node& n) {
              return reader.NonEmptyString(n, "listener.address");
            });
          })
          .and_then([&] {
            return Required(reader, t, "port", entry.port, [&](const toml::node& n) {
              return reader.Integer(n, "listener.port", 0, 65535);
            });
          })
          .and_then([&] { return OptionalString(reader, t, "process", entry.process); })
          .and_then([&] { return OptionalString(reader, t, "unit", entry.unit); })
          .and_then([&] { return OptionalString(reader, t, "reach", entry.reach); })
          .and_then([&] { return OptionalString(reader, t, "rule", entry.rule); })
          .and_then([&] { return OptionalString(reader, t, "exposure", entry.exposure); })
          .and_then([&] { return OptionalString(reader, t, "verdict", entry.firewall); });
  if (!status) {
    return std::unexpected(status.error());
  }
  return entry;
}

Result<Baseline> ReadDocument(const TomlReader& reader, const toml::table& root) {
  Baseline baseline;
  if (auto keys = reader.CheckKeys(root, "the top level", {"listener"}); !keys) {
    return std::unexpected(keys.error());
  }
  const toml::node* list = root.get("listener");
  if (list == nullptr) {
    return baseline;  // an empty baseline approves nothing
  }
  auto tables = reader.TableArray(*list, "listener");
  if (!tables) {
    return std::unexpected(tables.error());
  }
  if (tables->size() > kMaxEntries) {
    return std::unexpected(reader.ErrorAt(*list, "listener", "more than 100000 entries"));
  }
  for (const toml::table* table : *tables) {
    auto entry = ReadEntry(reader, *table);
    if (!entry) {
      return std::unexpected(entry.error());
    }
    baseline.entries.push_back(std::move(*entry));
  }
  return baseline;
}

}  // namespace

Result<Baseline> ParseBaseline(std::string_view text, const std::string& name) {
  auto root = ParseTomlDocument(text, name);
  if (!root) {
    return BoundedMessage<Baseline>(std::unexpected(std::move(root.error())));
  }
  auto baseline = ReadDocument(TomlReader(name), *root);
  if (baseline) {
    baseline->source = name;
  }
  return BoundedMessage(std::move(baseline));
}

Result<Baseline> LoadBaselineFile(const std::string& path) {
  auto text = ReadBoundedFile(path);
  if (!text) {
    return std::unexpected(text.error());
  }
  return ParseBaseline(*text, path);
}

}  // namespace portwarden::config
