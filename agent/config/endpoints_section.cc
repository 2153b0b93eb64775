// Reader for [[endpoints]]: TLS endpoints to probe.
#include <set>
#include <string>
#include <utility>

#include "agent/config/excerpt.h"
#include "agent/config/host_port.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Result<IpFamily> ReadIpFamily(const TomlReader& reader, const toml::node& n) {
  auto text = reader.String(n, "endpoints.ip_family");
  if (!text) {
    return std::unexpected(text.error());
  }
  if (*text == "any") {
    return IpFamily::kAny;
  }
  if (*text == "ipv4") {
    return IpFamily::kIpv4;
  }
  if (*text == "ipv6") {
    return IpFamily::kIpv6;
  }
  return std::unexpected(reader.ErrorAt(
      n, "endpoints.ip_family", "must be \"any\", \"ipv4\" or \"ipv6\", got " + Quote(*text)));
}

Status ReadTarget(const TomlReader& reader, const toml::table& t, EndpointConfig& out) {
  const toml::node* node = t.get("target");
  if (node == nullptr) {
    return std::unexpected(reader.ErrorAt(t, "endpoints", "missing required key \"target\""));
  }
  auto text = reader.NonEmptyString(*node, "endpoints.target");
  if (!text) {
    return std::unexpected(text.error());
  }
  auto parsed = SplitHostPort(*text);
  if (!parsed) {
    return std::unexpected(reader.ErrorAt(*node, "endpoints.target", parsed.error().message));
  }
  if (parsed->host.empty()) {
    return std::unexpected(
        reader.ErrorAt(*node, "endpoints.target", "missing host in " + Quote(*text)));
  }
  out.target = *text;
  out.host = parsed->host;
  out.port = parsed->port;
  return {};
}

Status ReadFiles(const TomlReader& reader, const toml::table& t, EndpointConfig& out) {
  auto file = [&](std::string_view key, std::string& field, const std::string& qualified) {
    return TomlReader::Assign(
        t, key, field, [&](const toml::node& n) { return reader.ReadableFile(n, qualified); });
  };
  return file("ca_file", out.ca_file, "endpoints.ca_file")
      .and_then([&] { return file("ca_path", out.ca_path, "endpoints.ca_path"); })
      .and_then([&] { return file("cert_file", out.cert_file, "endpoints.cert_file"); })
      .and_then([&] { return file("key_file", out.key_file, "endpoints.key_file"); })
      .and_then([&]() -> Status {
        if (out.cert_file.empty() != out.key_file.empty()) {
          return std::unexpected(reader.ErrorAt(
              t, "endpoints",
              "cert_file and key_file must be given together (target " + out.target + ")"));
        }
        return {};
      });
}

Status ReadOptions(const TomlReader& reader, const toml::table& t, EndpointConfig& out) {
  return TomlReader::Assign(
             t, "server_name", out.server_name,
             [&](const toml::node& n) { return reader.NonEmptyString(n, "endpoints.server_name"); })
      .and_then([&] {
        return TomlReader::Assign(t, "ip_family", out.ip_family,
                                  [&](const toml::node& n) { return ReadIpFamily(reader, n); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "timeout", out.timeout, [&](const toml::node& n) {
          return reader.PositiveDuration(n, "endpoints.timeout");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "http", out.http, [&](const toml::node& n) {
          return reader.Bool(n, "endpoints.http");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "http_path", out.http_path, [&](const toml::node& n) -> Result<std::string> {
              auto path = reader.NonEmptyString(n, "endpoints.http_path");
              if (path && path->front() != '/') {
                return std::unexpected(
                    reader.ErrorAt(n, "endpoints.http_path", "must start with \"/\""));
              }
              return path;
            });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "plain_http_companion", out.plain_http_companion,
            [&](const toml::node& n) { return reader.Port(n, "endpoints.plain_http_companion"); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "max_addresses", out.max_addresses, [&](const toml::node& n) {
          return reader.Integer(n, "endpoints.max_addresses", 1, 64);
        });
      });
}

}  // namespace

Status ReadEndpointsSection(const TomlReader& reader,
                            const toml::node& node,
                            std::vector<EndpointConfig>& out) {
  auto tables = reader.TableArray(node, "endpoints");
  if (!tables) {
    return std::unexpected(tables.error());
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const toml::table* table : *tables) {
    EndpointConfig endpoint;
    Status status = reader
                        .CheckKeys(*table, "[[endpoints]]",
                                   {"target", "server_name", "ca_file", "ca_path", "cert_file",
                                    "key_file", "ip_family", "timeout", "http", "http_path",
                                    "plain_http_companion", "max_addresses"})
                        .and_then([&] { return ReadTarget(reader, *table, endpoint); })
                        .and_then([&] { return ReadFiles(reader, *table, endpoint); })
                        .and_then([&] { return ReadOptions(reader, *table, endpoint); });
    if (!status) {
      return status;
    }
    if (endpoint.server_name.empty()) {
      endpoint.server_name = endpoint.host;
    }
    if (!seen.emplace(endpoint.target, endpoint.server_name).second) {
      return std::unexpected(reader.ErrorAt(*table, "endpoints",
                                            "duplicate endpoint " + Quote(endpoint.target) +
                                                " with server_name " +
                                                Quote(endpoint.server_name)));
    }
    out.push_back(std::move(endpoint));
  }
  return {};
}

}  // namespace portwarden::config
