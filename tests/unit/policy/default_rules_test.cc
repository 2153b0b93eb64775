// The built-in rules applied to the listeners the issue names.
#include "agent/policy/default_rules.h"

#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using testing_support::MakeListener;

Verdict Judge(const config::Config& config,
              const inventory::Listener& listener,
              const std::vector<inventory::Listener>& others = {}) {
  const PortIndex index(others);
  return EvaluateListener(BuildRuleSet(PolicySettingsFrom(config)), listener, index);
}

TEST(DefaultRulesTest, Https8443MustNotBePublic) {
  const config::Config config = config::Defaults();
  const Verdict wildcard = Judge(config, MakeListener("0.0.0.0", 8443, Scope::kPublic));
  EXPECT_EQ(wildcard.rule, "https-alt-internal");
  EXPECT_TRUE(wildcard.violation);
  EXPECT_FALSE(Judge(config, MakeListener("127.0.0.1", 8443, Scope::kLoopback)).violation);
  EXPECT_FALSE(Judge(config, MakeListener("10.0.0.1", 8443, Scope::kPrivate)).violation);
}

TEST(DefaultRulesTest, Https443MayBePublic) {
  const Verdict verdict = Judge(config::Defaults(), MakeListener("::", 443, Scope::kPublic));
  EXPECT_EQ(verdict.rule, "https-public");
  EXPECT_FALSE(verdict.violation);
}

TEST(DefaultRulesTest, PlainHttpOnlyAsCompanionOf443) {
  const config::Config config = config::Defaults();
  const auto http = MakeListener("0.0.0.0", 80, Scope::kPublic);
  const Verdict alone = Judge(config, http, {http});
  EXPECT_EQ(alone.rule, "http-internal");
  EXPECT_TRUE(alone.violation);
  const Verdict companion =
      Judge(config, http, {http, MakeListener("0.0.0.0", 443, Scope::kPublic)});
  EXPECT_EQ(companion.rule, "http-redirect-companion");
  EXPECT_FALSE(companion.violation);
}

TEST(DefaultRulesTest, AdminAndDatabasePortsFlaggedWhenPublic) {
  const config::Config config = config::Defaults();
  for (const std::uint16_t port : {22, 2375, 2376}) {
    const Verdict verdict = Judge(config, MakeListener("0.0.0.0", port, Scope::kPublic));
    EXPECT_EQ(verdict.rule, "remote-admin-internal") << port;
    EXPECT_TRUE(verdict.violation) << port;
  }
  for (const std::uint16_t port : {3306, 5432, 6379, 9200, 27017}) {
    const Verdict verdict = Judge(config, MakeListener("::", port, Scope::kPublic));
    EXPECT_EQ(verdict.rule, "database-internal") << port;
    EXPECT_TRUE(verdict.violation) << port;
    EXPECT_FALSE(Judge(config, MakeListener("127.0.0.1", port, Scope::kLoopback)).violation);
  }
}

TEST(DefaultRulesTest, AgentOwnPortComesFromListenAddresses) {
  config::Config config = config::Defaults();
  config.web.listen_addresses = {":19443", "[::1]:9999", "127.0.0.1:19500"};
  const auto rules = DefaultRules(PolicySettingsFrom(config));
  const auto& agent = rules.back();
  EXPECT_EQ(agent.name, "portwarden-internal");
  ASSERT_EQ(agent.ports.size(), 3u);
  EXPECT_EQ(agent.ports[0].first, 19443);
  EXPECT_EQ(agent.ports[1].first, 9999);
  EXPECT_EQ(agent.ports[2].first, 19500);
  EXPECT_TRUE(Judge(config, MakeListener("0.0.0.0", 19443, Scope::kPublic)).violation);
  EXPECT_EQ(Judge(config, MakeListener("0.0.0.0", 19443, Scope::kPublic)).rule,
            "portwarden-internal");
}

TEST(DefaultRulesTest, UserRuleComesFirstAndSameNameReplacesBuiltIn) {
  config::Config config = config::Defaults();
  config::ExposureRule ssh;
  ssh.name = "remote-admin-internal";
  ssh.ports = {{2222, 2222}};
  ssh.allow = {Scope::kLoopback};
  config.exposure.rules.push_back(ssh);
  const RuleSet set = BuildRuleSet(PolicySettingsFrom(config));
  EXPECT_EQ(set.rules.front().name, "remote-admin-internal");
  int count = 0;
  for (const auto& rule : set.rules) {
    count += rule.name == "remote-admin-internal" ? 1 : 0;
  }
  EXPECT_EQ(count, 1);
  // Port 22 lost its built-in rule: it now falls to the default action (report: public).
  EXPECT_EQ(Judge(config, MakeListener("0.0.0.0", 22, Scope::kPublic)).rule, "default");
}

TEST(DefaultRulesTest, DefaultRulesOff) {
  config::Config config = config::Defaults();
  config.exposure.default_rules = false;
  config.exposure.default_action = config::DefaultAction::kAllow;
  EXPECT_TRUE(BuildRuleSet(PolicySettingsFrom(config)).rules.empty());
  const Verdict verdict = Judge(config, MakeListener("0.0.0.0", 8443, Scope::kPublic));
  EXPECT_EQ(verdict.rule, "default");
  EXPECT_FALSE(verdict.violation);
}

}  // namespace
}  // namespace portwarden::policy
