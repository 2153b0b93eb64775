// Observed activity in the verdict (basis="observed") and the ports the inventory watches.
#include <algorithm>

#include <gtest/gtest.h>

#include "agent/policy/default_rules.h"
#include "agent/policy/evaluate.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using testing_support::MakeListener;

inventory::Listener Connected(inventory::Listener l, std::uint32_t priv, std::uint32_t pub) {
  l.connections = std::array<std::uint32_t, 4>{0, 0, priv, pub};
  return l;
}

TEST(ObservedTest, PublicPeerOnTheInternalPortIsAnObservedViolation) {
  const RuleSet rules = BuildRuleSet(PolicySettingsFrom(config::Defaults()));
  // Bound to a private address (no bind violation), yet a public peer is connected.
  const std::vector<inventory::Listener> listeners{
      Connected(MakeListener("10.0.0.5", 8443, Scope::kPrivate), 3, 1),
      Connected(MakeListener("10.0.0.5", 8443, Scope::kPrivate), 3, 0),
      Connected(MakeListener("0.0.0.0", 443, Scope::kPublic), 0, 9),
      MakeListener("10.0.0.5", 8443, Scope::kPrivate)};
  const auto verdicts = EvaluateAll(rules, listeners);
  EXPECT_FALSE(verdicts[0].violation);
  EXPECT_TRUE(verdicts[0].observed_violation);
  EXPECT_FALSE(verdicts[1].observed_violation);
  EXPECT_FALSE(verdicts[2].observed_violation) << "443 may face the public";
  EXPECT_FALSE(verdicts[3].observed_violation) << "connections unknown";
}

TEST(ObservedTest, WatchedPortsAreTheTlsPortsAndEveryRulePort) {
  auto config = config::Defaults();
  config.discovery.tls_ports = {9443};
  config::ExposureRule rule;
  rule.name = "db";
  rule.ports = {{5432, 5433}};
  rule.allow = {Scope::kLoopback};
  config.exposure.rules.push_back(rule);
  const auto ports = WatchedPorts(config);
  const auto has = [&](std::uint16_t first, std::uint16_t last) {
    return std::any_of(ports.begin(), ports.end(),
                       [&](const auto& r) { return r.first == first && r.last == last; });
  };
  EXPECT_TRUE(has(9443, 9443));
  EXPECT_TRUE(has(5432, 5433));
  EXPECT_TRUE(has(8443, 8443)) << "the built-in admin-port rule";
}

}  // namespace
}  // namespace portwarden::policy
