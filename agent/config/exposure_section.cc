// Reader for [exposure], [[exposure.rules]] and [[exposure.zones]].
#include <set>
#include <string>
#include <utility>

#include "agent/config/excerpt.h"
#include "agent/config/exposure_values.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Result<DefaultAction> ReadDefaultAction(const TomlReader& reader, const toml::node& n) {
  auto text = reader.String(n, "exposure.default_action");
  if (!text) {
    return std::unexpected(text.error());
  }
  if (*text == "allow") {
    return DefaultAction::kAllow;
  }
  if (*text == "report") {
    return DefaultAction::kReport;
  }
  return std::unexpected(reader.ErrorAt(n, "exposure.default_action",
                                        "must be \"allow\" or \"report\", got " + Quote(*text)));
}

Result<Judge> ReadJudge(const TomlReader& reader, const toml::node& n) {
  auto text = reader.String(n, "exposure.judge");
  if (!text) {
    return std::unexpected(text.error());
  }
  if (*text == "bind") {
    return Judge::kBind;
  }
  if (*text == "effective") {
    return Judge::kEffective;
  }
  return std::unexpected(reader.ErrorAt(n, "exposure.judge",
                                        "must be \"bind\" or \"effective\", got " + Quote(*text)));
}

Result<Protocol> ReadProtocol(const TomlReader& reader, const toml::node& n) {
  auto text = reader.String(n, "exposure.rules.protocol");
  if (!text) {
    return std::unexpected(text.error());
  }
  if (auto protocol = ParseProtocol(*text)) {
    return *protocol;
  }
  return std::unexpected(reader.ErrorAt(n, "exposure.rules.protocol",
                                        "must be \"tcp\" or \"udp\", got " + Quote(*text)));
}

Status ReadRuleMatch(const TomlReader& reader, const toml::table& t, ExposureRule& rule) {
  auto strings = [&](std::string_view key, std::vector<std::string>& field) {
    const std::string qualified = "exposure.rules." + std::string(key);
    return TomlReader::Assign(
        t, key, field, [&](const toml::node& n) { return reader.StringArray(n, qualified); });
  };
  return TomlReader::Assign(
             t, "ports", rule.ports,
             [&](const toml::node& n) { return ReadPortRanges(reader, n, "exposure.rules.ports"); })
      .and_then([&] {
        return TomlReader::Assign(t, "protocol", rule.protocol,
                                  [&](const toml::node& n) { return ReadProtocol(reader, n); });
      })
      .and_then([&] { return strings("processes", rule.processes); })
      .and_then([&] { return strings("executables", rule.executables); })
      .and_then([&] { return strings("units", rule.units); })
      .and_then([&] { return strings("namespaces", rule.namespaces); })
      .and_then([&] {
        return TomlReader::Assign(t, "addresses", rule.addresses, [&](const toml::node& n) {
          return ReadCidrs(reader, n, "exposure.rules.addresses");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "requires_listener_on", rule.requires_listener_on, [&](const toml::node& n) {
              return ReadPortRanges(reader, n, "exposure.rules.requires_listener_on");
            });
      });
}

// A rule with no match criterion matches every listener; if it also allows no scope it
// would flag everything, even loopback. That is never what anyone means, so it is rejected.
bool IsEmptyRule(const ExposureRule& rule) {
  return rule.ports.empty() && !rule.protocol && rule.processes.empty() &&
         rule.executables.empty() && rule.units.empty() && rule.namespaces.empty() &&
         rule.addresses.empty() && rule.requires_listener_on.empty() && rule.allow.empty();
}

Status ReadRule(const TomlReader& reader, const toml::table& t, ExposureRule& rule) {
  for (const char* required : {"name", "allow"}) {
    if (!t.contains(required)) {
      return std::unexpected(reader.ErrorAt(
          t, "exposure.rules", "missing required key \"" + std::string(required) + "\""));
    }
  }
  return reader
      .CheckKeys(t, "[[exposure.rules]]",
                 {"name", "ports", "protocol", "processes", "executables", "units", "namespaces",
                  "addresses", "requires_listener_on", "allow"})
      .and_then([&] {
        return TomlReader::Assign(t, "name", rule.name, [&](const toml::node& n) {
          return reader.NonEmptyString(n, "exposure.rules.name");
        });
      })
      .and_then([&] { return ReadRuleMatch(reader, t, rule); })
      .and_then([&] {
        return TomlReader::Assign(t, "allow", rule.allow, [&](const toml::node& n) {
          return ReadScopes(reader, n, "exposure.rules.allow");
        });
      })
      .and_then([&]() -> Status {
        if (IsEmptyRule(rule)) {
          return std::unexpected(reader.ErrorAt(
              t, "exposure.rules",
              "rule " + Quote(rule.name) +
                  " is empty: it matches every listener and allows no scope (give it a match "
                  "criterion or at least one allowed scope)"));
        }
        return {};
      });
}

Status ReadExposureRules(const TomlReader& reader,
                         const toml::node& node,
                         std::vector<ExposureRule>& out) {
  auto tables = reader.TableArray(node, "exposure.rules");
  if (!tables) {
    return std::unexpected(tables.error());
  }
  std::set<std::string> names;
  for (const toml::table* table : *tables) {
    ExposureRule rule;
    if (auto status = ReadRule(reader, *table, rule); !status) {
      return status;
    }
    if (!names.insert(rule.name).second) {
      return std::unexpected(
          reader.ErrorAt(*table, "exposure.rules", "duplicate rule name " + Quote(rule.name)));
    }
    out.push_back(std::move(rule));
  }
  return {};
}

Status ReadZone(const TomlReader& reader, const toml::table& t, ZoneOverride& zone) {
  if (t.contains("interface") == t.contains("cidr")) {
    return std::unexpected(
        reader.ErrorAt(t, "exposure.zones", "give exactly one of \"interface\" or \"cidr\""));
  }
  if (!t.contains("scope")) {
    return std::unexpected(reader.ErrorAt(t, "exposure.zones", "missing required key \"scope\""));
  }
  return reader.CheckKeys(t, "[[exposure.zones]]", {"interface", "cidr", "scope"})
      .and_then([&] {
        return TomlReader::Assign(t, "interface", zone.interface, [&](const toml::node& n) {
          return reader.NonEmptyString(n, "exposure.zones.interface");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "cidr", zone.cidr, [&](const toml::node& n) {
          return ReadCidr(reader, n, "exposure.zones.cidr");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "scope", zone.scope, [&](const toml::node& n) {
          return ReadScope(reader, n, "exposure.zones.scope");
        });
      });
}

Status ReadExposureZones(const TomlReader& reader,
                         const toml::node& node,
                         std::vector<ZoneOverride>& out) {
  auto tables = reader.TableArray(node, "exposure.zones");
  if (!tables) {
    return std::unexpected(tables.error());
  }
  for (const toml::table* table : *tables) {
    ZoneOverride zone;
    if (auto status = ReadZone(reader, *table, zone); !status) {
      return status;
    }
    out.push_back(std::move(zone));
  }
  return {};
}

}  // namespace

Status ReadExposureSection(const TomlReader& reader, const toml::node& node, ExposureConfig& out) {
  auto table = reader.Table(node, "exposure");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  return reader
      .CheckKeys(t, "[exposure]", {"default_rules", "default_action", "judge", "rules", "zones"})
      .and_then([&] {
        return TomlReader::Assign(t, "default_rules", out.default_rules, [&](const toml::node& n) {
          return reader.Bool(n, "exposure.default_rules");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "default_action", out.default_action,
            [&](const toml::node& n) { return ReadDefaultAction(reader, n); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "judge", out.judge,
                                  [&](const toml::node& n) { return ReadJudge(reader, n); });
      })
      .and_then([&] {
        return TomlReader::IfPresent(t, "rules", [&](const toml::node& n) {
          return ReadExposureRules(reader, n, out.rules);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(t, "zones", [&](const toml::node& n) {
          return ReadExposureZones(reader, n, out.zones);
        });
      });
}

}  // namespace portwarden::config
