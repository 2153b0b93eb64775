// Readers for [agent], [web], [discovery] and [inventory].
#include <string>

#include "agent/config/excerpt.h"
#include "agent/config/host_port.h"
#include "agent/config/sections.h"

namespace portwarden::config {

namespace {

// agent.probe_spread: a duration from "0s" up to probe_interval (of this table or the
// default), or "auto".
Status ReadProbeSpread(const TomlReader& reader, const toml::table& t, AgentSettings& out) {
  const toml::node* n = t.get("probe_spread");
  if (n == nullptr) {
    return {};
  }
  constexpr std::string_view kKey = "agent.probe_spread";
  if (n->is_string() && n->value<std::string>() == "auto") {
    out.probe_spread_auto = true;
    out.probe_spread = Duration(0);
    return {};
  }
  auto text = reader.String(*n, kKey);
  if (!text) {
    return std::unexpected(
        reader.ErrorAt(*n, kKey,
                       "expected a duration string such as \"30s\" or \"auto\", got " +
                           std::string(TypeName(*n))));
  }
  auto spread = ParseDuration(*text);
  if (!spread) {
    return std::unexpected(reader.ErrorAt(*n, kKey, spread.error().message));
  }
  if (*spread > out.probe_interval) {
    return std::unexpected(reader.ErrorAt(*n, kKey,
                                          "must not exceed agent.probe_interval (" +
                                              FormatDuration(out.probe_interval) + "), got " +
                                              Quote(*text)));
  }
  out.probe_spread_auto = false;
  out.probe_spread = *spread;
  return {};
}

}  // namespace

Status ReadAgentSection(const TomlReader& reader, const toml::node& node, AgentSettings& out) {
  auto table = reader.Table(node, "agent");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  return reader
      .CheckKeys(t, "[agent]",
                 {"scan_interval", "probe_interval", "posture_interval", "probe_timeout",
                  "probe_concurrency", "probe_spread", "jitter"})
      .and_then([&] {
        return TomlReader::Assign(t, "scan_interval", out.scan_interval, [&](const toml::node& n) {
          return reader.PositiveDuration(n, "agent.scan_interval");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "probe_interval", out.probe_interval,
                                  [&](const toml::node& n) {
                                    return reader.PositiveDuration(n, "agent.probe_interval");
                                  });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "posture_interval", out.posture_interval,
                                  [&](const toml::node& n) {
                                    return reader.PositiveDuration(n, "agent.posture_interval");
                                  });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "probe_timeout", out.probe_timeout, [&](const toml::node& n) {
          return reader.PositiveDuration(n, "agent.probe_timeout");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "probe_concurrency", out.probe_concurrency,
                                  [&](const toml::node& n) {
                                    return reader.Integer(n, "agent.probe_concurrency", 1, 4096);
                                  });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "jitter", out.jitter, [&](const toml::node& n) {
          return reader.Number(n, "agent.jitter", 0.0, 0.5);
        });
      })
      .and_then([&] { return ReadProbeSpread(reader, t, out); });
}

Result<std::string> ReadListenAddress(const TomlReader& reader, const toml::node& n) {
  auto text = reader.String(n, "web.listen_address");
  if (!text) {
    return text;
  }
  if (auto parsed = SplitListenAddress(*text); !parsed) {
    return std::unexpected(reader.ErrorAt(n, "web.listen_address", parsed.error().message));
  }
  return text;
}

Result<std::vector<std::string>> ReadListenAddresses(const TomlReader& reader,
                                                     const toml::node& n) {
  // A single string or an array of strings, like the repeatable flag.
  if (n.is_string()) {
    auto text = ReadListenAddress(reader, n);
    if (!text) {
      return std::unexpected(text.error());
    }
    return std::vector<std::string>{std::move(*text)};
  }
  const auto* array = n.as_array();
  if (array == nullptr || array->empty()) {
    return std::unexpected(reader.ErrorAt(
        n, "web.listen_address",
        array == nullptr
            ? "expected a string or an array of strings, got " + std::string(TypeName(n))
            : std::string("needs at least one address")));
  }
  std::vector<std::string> out;
  for (const toml::node& element : *array) {
    auto text = ReadListenAddress(reader, element);
    if (!text) {
      return std::unexpected(text.error());
    }
    out.push_back(std::move(*text));
  }
  return out;
}

Status ReadWebSection(const TomlReader& reader, const toml::node& node, WebSettings& out) {
  auto table = reader.Table(node, "web");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  return reader
      .CheckKeys(t, "[web]",
                 {"listen_address", "telemetry_path", "max_connections", "read_timeout"})
      .and_then([&] {
        return TomlReader::Assign(
            t, "listen_address", out.listen_addresses,
            [&](const toml::node& n) { return ReadListenAddresses(reader, n); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "telemetry_path", out.telemetry_path,
                                  [&](const toml::node& n) -> Result<std::string> {
                                    auto path = reader.NonEmptyString(n, "web.telemetry_path");
                                    if (path && path->front() != '/') {
                                      return std::unexpected(reader.ErrorAt(
                                          n, "web.telemetry_path", "must start with \"/\""));
                                    }
                                    return path;
                                  });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "max_connections", out.max_connections,
            [&](const toml::node& n) { return reader.Integer(n, "web.max_connections", 1, 256); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "read_timeout", out.read_timeout, [&](const toml::node& n) {
          return reader.PositiveDuration(n, "web.read_timeout");
        });
      });
}

namespace {

// The value of one of `choices`, else an error listing them ("a" or "b"; "a", "b" or "c").
template <typename Enum>
Result<Enum> ReadChoice(const TomlReader& reader,
                        const toml::node& n,
                        std::string_view key,
                        std::initializer_list<std::pair<std::string_view, Enum>> choices) {
  auto text = reader.String(n, key);
  if (!text) {
    return std::unexpected(text.error());
  }
  std::string names;
  std::size_t i = 0;
  for (const auto& [name, value] : choices) {
    if (*text == name) {
      return value;
    }
    names += i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", ");
    names += "\"" + std::string(name) + "\"";
    ++i;
  }
  return std::unexpected(reader.ErrorAt(n, key, "must be " + names + ", got " + Quote(*text)));
}

Result<NamespaceMode> ReadNamespaceMode(const TomlReader& reader, const toml::node& n) {
  return ReadChoice<NamespaceMode>(reader, n, "discovery.namespaces",
                                   {{"all", NamespaceMode::kAll}, {"host", NamespaceMode::kHost}});
}

Result<ProcessWalk> ReadProcessWalk(const TomlReader& reader, const toml::node& n) {
  return ReadChoice<ProcessWalk>(reader, n, "inventory.process_walk",
                                 {{"auto", ProcessWalk::kAuto}, {"procfs", ProcessWalk::kProcfs}});
}

/// The trust store and HTTP check for discovered targets.
Status ReadDiscoveryChecks(const TomlReader& reader, const toml::table& t, DiscoverySettings& out) {
  return TomlReader::Assign(
             t, "ca_file", out.ca_file,
             [&](const toml::node& n) { return reader.ReadableFile(n, "discovery.ca_file"); })
      .and_then([&] {
        return TomlReader::Assign(t, "ca_path", out.ca_path, [&](const toml::node& n) {
          return reader.ReadableFile(n, "discovery.ca_path");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "http", out.http, [&](const toml::node& n) {
          return reader.Bool(n, "discovery.http");
        });
      });
}

}  // namespace

Status ReadDiscoverySection(const TomlReader& reader,
                            const toml::node& node,
                            DiscoverySettings& out) {
  auto table = reader.Table(node, "discovery");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  out.namespaces_set = out.namespaces_set || t.contains("namespaces");
  return reader
      .CheckKeys(
          t, "[discovery]",
          {"enabled", "tls_ports", "namespaces", "server_name", "ca_file", "ca_path", "http"})
      .and_then([&] {
        return TomlReader::Assign(t, "enabled", out.enabled, [&](const toml::node& n) {
          return reader.Bool(n, "discovery.enabled");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "tls_ports", out.tls_ports, [&](const toml::node& n) {
          return reader.PortArray(n, "discovery.tls_ports");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "server_name", out.server_name, [&](const toml::node& n) {
          return reader.String(n, "discovery.server_name");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "namespaces", out.namespaces, [&](const toml::node& n) {
          return ReadNamespaceMode(reader, n);
        });
      })
      .and_then([&] { return ReadDiscoveryChecks(reader, t, out); });
}

Status ReadInventorySection(const TomlReader& reader,
                            const toml::node& node,
                            InventorySettings& out) {
  auto table = reader.Table(node, "inventory");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  return reader
      .CheckKeys(t, "[inventory]",
                 {"udp", "max_listener_series", "proc_path", "process_walk", "baseline",
                  "connection_tracking_max"})
      .and_then([&] {
        return TomlReader::Assign(t, "udp", out.udp, [&](const toml::node& n) {
          return reader.Bool(n, "inventory.udp");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "max_listener_series", out.max_listener_series, [&](const toml::node& n) {
              return reader.Integer(n, "inventory.max_listener_series", 1, 1'000'000);
            });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "proc_path", out.proc_path, [&](const toml::node& n) {
          return reader.NonEmptyString(n, "inventory.proc_path");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "process_walk", out.process_walk,
                                  [&](const toml::node& n) { return ReadProcessWalk(reader, n); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "baseline", out.baseline, [&](const toml::node& n) {
          return reader.NonEmptyString(n, "inventory.baseline");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "connection_tracking_max", out.connection_tracking_max, [&](const toml::node& n) {
              return reader.Integer(n, "inventory.connection_tracking_max", 0, 16'000'000);
            });
      });
}

}  // namespace portwarden::config
