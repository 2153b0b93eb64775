#include "agent/policy/default_rules.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <string_view>

namespace portwarden::policy {
namespace {

using config::ExposureRule;
using config::PortRange;

const std::vector<Scope> kAnyScope = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate,
                                      Scope::kPublic};
const std::vector<Scope> kNotPublic = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate};

std::vector<PortRange> Ports(std::initializer_list<std::uint16_t> ports) {
  std::vector<PortRange> out;
  for (const std::uint16_t port : ports) {
    out.push_back({port, port});
  }
  return out;
}

ExposureRule Rule(std::string name, std::vector<PortRange> ports, std::vector<Scope> allow) {
  ExposureRule rule;
  rule.name = std::move(name);
  rule.ports = std::move(ports);
  rule.allow = std::move(allow);
  return rule;
}

// The port of "host:port", ":port" or "[v6]:port"; nullopt when there is none.
std::optional<std::uint16_t> ListenPort(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(port);
}

ExposureRule AgentRule(const PolicySettings& settings) {
  ExposureRule rule = Rule("portwarden-internal", {}, kNotPublic);
  rule.protocol = Protocol::kTcp;
  for (const auto& address : settings.agent_listen_addresses) {
    if (const auto port = ListenPort(address)) {
      rule.ports.push_back({*port, *port});
    }
  }
  return rule;
}

}  // namespace

std::vector<ExposureRule> DefaultRules(const PolicySettings& settings) {
  std::vector<ExposureRule> rules;
  // 443 is the public web port, TCP and QUIC alike.
  rules.push_back(Rule("https-public", Ports({443}), kAnyScope));
  // "Never expose 8443 externally unless explicitly required": Tomcat, Jetty, admin panels.
  rules.push_back(Rule("https-alt-internal", Ports({8443}), kNotPublic));
  // Plain HTTP may face the internet only next to HTTPS, as its redirect companion; whether
  // it really redirects is measured by the prober (portwarden_http_redirects_to_https).
  ExposureRule companion = Rule("http-redirect-companion", Ports({80}), kAnyScope);
  companion.protocol = Protocol::kTcp;
  companion.requires_listener_on = Ports({443});
  rules.push_back(std::move(companion));
  rules.push_back(Rule("http-internal", Ports({80}), kNotPublic));
  rules.push_back(
      Rule("remote-admin-internal", Ports({22, 23, 3389, 5900, 2375, 2376, 10250}), kNotPublic));
  rules.push_back(
      Rule("database-internal", Ports({3306, 5432, 6379, 9200, 9300, 11211, 27017}), kNotPublic));
  ExposureRule agent = AgentRule(settings);
  if (!agent.ports.empty()) {
    rules.push_back(std::move(agent));
  }
  return rules;
}

RuleSet BuildRuleSet(const PolicySettings& settings) {
  const config::ExposureConfig& exposure = settings.exposure;
  RuleSet set;
  set.default_action = exposure.default_action;
  set.rules = exposure.rules;
  if (!exposure.default_rules) {
    return set;
  }
  for (auto& rule : DefaultRules(settings)) {
    const bool replaced =
        std::any_of(exposure.rules.begin(), exposure.rules.end(),
                    [&](const ExposureRule& user) { return user.name == rule.name; });
    if (!replaced) {
      set.rules.push_back(std::move(rule));
    }
  }
  return set;
}

}  // namespace portwarden::policy
