#include <gtest/gtest.h>

#include "agent/config/config.h"

namespace portwarden::config {
namespace {

TEST(ExposureConfigTest, DefaultsWithoutSection) {
  auto config = LoadString("", "empty.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->exposure.default_rules);
  EXPECT_EQ(config->exposure.default_action, DefaultAction::kReport);
  EXPECT_EQ(config->exposure.judge, Judge::kBind);
  EXPECT_TRUE(config->exposure.rules.empty());
  EXPECT_TRUE(config->exposure.zones.empty());
}

TEST(ExposureConfigTest, ReadsRulesAndZones) {
  auto config = LoadString(R"(
[exposure]
default_rules = false
default_action = "allow"

[[exposure.rules]]
name = "tomcat-admin"
ports = [8443, "9000-9100"]
protocol = "tcp"
processes = ["java"]
executables = ["/usr/bin/java"]
units = ["tomcat*.service"]
namespaces = ["host"]
addresses = ["0.0.0.0/0", "::/0", "192.0.2.7"]
requires_listener_on = [443]
allow = ["loopback", "private", "public"]

[[exposure.zones]]
interface = "eth0"
scope = "public"

[[exposure.zones]]
cidr = "100.64.0.0/10"
scope = "private"
)",
                           "good.toml");
  ASSERT_TRUE(config) << config.error().message;
  const ExposureConfig& e = config->exposure;
  EXPECT_FALSE(e.default_rules);
  EXPECT_EQ(e.default_action, DefaultAction::kAllow);
  ASSERT_EQ(e.rules.size(), 1u);
  const ExposureRule& rule = e.rules[0];
  EXPECT_EQ(rule.name, "tomcat-admin");
  ASSERT_EQ(rule.ports.size(), 2u);
  EXPECT_EQ(rule.ports[0].first, 8443);
  EXPECT_EQ(rule.ports[0].last, 8443);
  EXPECT_EQ(rule.ports[1].first, 9000);
  EXPECT_EQ(rule.ports[1].last, 9100);
  EXPECT_EQ(rule.protocol, Protocol::kTcp);
  EXPECT_EQ(rule.processes, std::vector<std::string>{"java"});
  EXPECT_EQ(rule.executables, std::vector<std::string>{"/usr/bin/java"});
  EXPECT_EQ(rule.units, std::vector<std::string>{"tomcat*.service"});
  EXPECT_EQ(rule.namespaces, std::vector<std::string>{"host"});
  ASSERT_EQ(rule.addresses.size(), 3u);
  EXPECT_EQ(rule.addresses[1].family, AddressFamily::kIpv6);
  EXPECT_EQ(rule.addresses[2].prefix_length, 32);
  ASSERT_EQ(rule.requires_listener_on.size(), 1u);
  EXPECT_EQ(rule.allow, (std::vector<Scope>{Scope::kLoopback, Scope::kPrivate, Scope::kPublic}));
  ASSERT_EQ(e.zones.size(), 2u);
  EXPECT_EQ(e.zones[0].interface, "eth0");
  EXPECT_EQ(e.zones[0].scope, Scope::kPublic);
  ASSERT_TRUE(e.zones[1].cidr);
  EXPECT_EQ(e.zones[1].cidr->text, "100.64.0.0/10");
  EXPECT_EQ(e.zones[1].scope, Scope::kPrivate);
}

TEST(ExposureConfigTest, AllowEmptyWithCriterionForbidsEverywhere) {
  auto config =
      LoadString("[[exposure.rules]]\nname = \"no-telnet\"\nports = [23]\nallow = []\n", "t.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->exposure.rules[0].allow.empty());
}

TEST(ExposureConfigTest, CatchAllRuleWithScopesIsNotEmpty) {
  auto config = LoadString(
      "[[exposure.rules]]\nname = \"internal\"\nallow = [\"loopback\", \"private\"]\n", "t.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->exposure.rules[0].ports.empty());
}

TEST(ExposureConfigTest, ReadsJudge) {
  auto config = LoadString("[exposure]\njudge = \"effective\"\n", "judge.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->exposure.judge, Judge::kEffective);
}

}  // namespace
}  // namespace portwarden::config
