// The pure evaluation, table-driven: rules + listener → verdict.
#include "agent/policy/evaluate.h"

#include <gtest/gtest.h>

#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using config::DefaultAction;
using config::ExposureRule;
using testing_support::MakeListener;
using testing_support::MustCidr;
using testing_support::WithExe;
using testing_support::WithUnit;

const std::vector<Scope> kInternal = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate};
const std::vector<Scope> kAny = {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate,
                                 Scope::kPublic};

ExposureRule PortRule(std::string name,
                      std::uint16_t first,
                      std::uint16_t last,
                      std::vector<Scope> allow) {
  ExposureRule rule;
  rule.name = std::move(name);
  rule.ports = {{first, last}};
  rule.allow = std::move(allow);
  return rule;
}

// A user's policy exercising every criterion, in evaluation order.
RuleSet UserRules(DefaultAction action) {
  RuleSet set;
  set.default_action = action;
  ExposureRule java = PortRule("java-8443", 8443, 8443, kAny);
  java.processes = {"java"};
  set.rules.push_back(java);
  set.rules.push_back(PortRule("alt-https", 8443, 8443, kInternal));
  ExposureRule range = PortRule("app-range", 8000, 8100, kInternal);
  range.protocol = Protocol::kTcp;
  set.rules.push_back(range);
  ExposureRule dns = PortRule("dns-udp", 53, 53, kAny);
  dns.protocol = Protocol::kUdp;
  dns.executables = {"/usr/sbin/*"};
  set.rules.push_back(dns);
  ExposureRule vip;
  vip.name = "vip";
  vip.addresses = {MustCidr("192.0.2.0/24"), MustCidr("2001:db8::/32")};
  vip.allow = kAny;
  set.rules.push_back(vip);
  ExposureRule unit;
  unit.name = "containers-internal";
  unit.units = {"docker-*.scope"};
  unit.allow = kInternal;
  set.rules.push_back(unit);
  ExposureRule ns;
  ns.name = "lab-ns";
  ns.namespaces = {"lab"};
  ns.allow = {};
  set.rules.push_back(ns);
  ExposureRule companion = PortRule("http-companion", 80, 80, kAny);
  companion.requires_listener_on = {{443, 443}};
  set.rules.push_back(companion);
  return set;
}

struct Case {
  const char* name;
  inventory::Listener listener;
  DefaultAction action;
  const char* rule;
  bool violation;
};

class EvaluateTest : public testing::TestWithParam<Case> {};

TEST_P(EvaluateTest, Verdict) {
  const Case& c = GetParam();
  // The companion rule needs a 443 listener in the same netns; the index holds "host" only.
  const std::vector<inventory::Listener> others = {
      MakeListener("0.0.0.0", 443, Scope::kPublic, "nginx")};
  const PortIndex index(others);
  const Verdict verdict = EvaluateListener(UserRules(c.action), c.listener, index);
  EXPECT_EQ(verdict.rule, c.rule);
  EXPECT_EQ(verdict.violation, c.violation);
}

constexpr auto kReport = DefaultAction::kReport;
constexpr auto kAllow = DefaultAction::kAllow;

const Case kCases[] = {
    {"ProcessRuleWinsFirst", MakeListener("0.0.0.0", 8443, Scope::kPublic, "java"), kReport,
     "java-8443", false},
    {"OtherProcessFallsThrough", MakeListener("0.0.0.0", 8443, Scope::kPublic, "nginx"), kReport,
     "alt-https", true},
    {"LoopbackAllowed", MakeListener("127.0.0.1", 8443, Scope::kLoopback, "nginx"), kReport,
     "alt-https", false},
    {"PrivateAllowed", MakeListener("10.0.0.5", 8443, Scope::kPrivate), kReport, "alt-https",
     false},
    {"RangeLowEdge", MakeListener("::", 8000, Scope::kPublic), kReport, "app-range", true},
    {"RangeHighEdge", MakeListener("::", 8100, Scope::kPublic), kReport, "app-range", true},
    {"RangeOutside", MakeListener("::", 8101, Scope::kPublic), kAllow, "default", false},
    {"ProtocolMismatch", MakeListener("::", 8050, Scope::kPublic, "", Protocol::kUdp), kAllow,
     "default", false},
    {"ExeGlobMatches",
     WithExe(MakeListener("0.0.0.0", 53, Scope::kPublic, "unbound", Protocol::kUdp),
             "/usr/sbin/unbound"),
     kReport, "dns-udp", false},
    {"ExeMissingFallsThrough",
     MakeListener("0.0.0.0", 53, Scope::kPublic, "unbound", Protocol::kUdp), kReport, "default",
     true},
    {"CidrV4", MakeListener("192.0.2.10", 9999, Scope::kPublic), kReport, "vip", false},
    {"CidrV6", MakeListener("2001:db8::1", 9999, Scope::kPublic), kReport, "vip", false},
    {"CidrMappedV4", MakeListener("::ffff:192.0.2.10", 9999, Scope::kPublic), kReport, "vip",
     false},
    {"WildcardNotInCidr", MakeListener("0.0.0.0", 9999, Scope::kPublic), kReport, "default", true},
    {"UnitGlob", WithUnit(MakeListener("0.0.0.0", 9999, Scope::kPublic), "docker-abc123.scope"),
     kReport, "containers-internal", true},
    {"NamespaceForbidsAll",
     MakeListener("127.0.0.1", 9999, Scope::kLoopback, "", Protocol::kTcp, "lab"), kAllow, "lab-ns",
     true},
    {"CompanionWith443", MakeListener("0.0.0.0", 80, Scope::kPublic), kReport, "http-companion",
     false},
    {"CompanionOtherNetns", MakeListener("0.0.0.0", 80, Scope::kPublic, "", Protocol::kTcp, "web"),
     kReport, "default", true},
    {"DefaultReportPublic", MakeListener("0.0.0.0", 9999, Scope::kPublic), kReport, "default",
     true},
    {"DefaultReportPrivate", MakeListener("10.1.1.1", 9999, Scope::kPrivate), kReport, "default",
     false},
    {"DefaultAllowPublic", MakeListener("0.0.0.0", 9999, Scope::kPublic), kAllow, "default", false},
};

INSTANTIATE_TEST_SUITE_P(Table,
                         EvaluateTest,
                         testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& param) {
                           return std::string(param.param.name);
                         });

TEST(EvaluateAllTest, OneVerdictPerListenerInOrder) {
  const std::vector<inventory::Listener> listeners = {
      MakeListener("0.0.0.0", 443, Scope::kPublic),
      MakeListener("0.0.0.0", 80, Scope::kPublic),
      MakeListener("0.0.0.0", 80, Scope::kPublic, "", Protocol::kTcp, "web"),
  };
  const auto verdicts = EvaluateAll(UserRules(kReport), listeners);
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].rule, "default");
  EXPECT_TRUE(verdicts[0].violation);
  EXPECT_EQ(verdicts[1].rule, "http-companion");
  EXPECT_FALSE(verdicts[1].violation);
  EXPECT_EQ(verdicts[2].rule, "default");
  EXPECT_EQ(verdicts[1].allowed, kAny);
}

TEST(PortIndexTest, RangeLookupStaysInsideNetnsAndProtocol) {
  const std::vector<inventory::Listener> listeners = {
      MakeListener("::", 8443, Scope::kPublic, "", Protocol::kTcp, "a"),
      MakeListener("::", 53, Scope::kPublic, "", Protocol::kUdp, "a")};
  const PortIndex index(listeners);
  EXPECT_TRUE(index.Has("a", Protocol::kTcp, {8000, 9000}));
  EXPECT_FALSE(index.Has("a", Protocol::kTcp, {8444, 9000}));
  EXPECT_FALSE(index.Has("a", Protocol::kUdp, {8000, 9000}));
  EXPECT_FALSE(index.Has("b", Protocol::kTcp, {1, 65535}));
  EXPECT_TRUE(index.Has("a", Protocol::kUdp, {53, 53}));
}

// Namespaces interleaved (not grouped as a scan sorts them), duplicates, range edges and a
// reversed range: the same answers as a set of (netns, protocol, port) would give.
TEST(PortIndexTest, InterleavedNamespacesDuplicatesAndEdges) {
  const std::vector<inventory::Listener> listeners = {
      MakeListener("::", 443, Scope::kPublic, "", Protocol::kTcp, "b"),
      MakeListener("::", 80, Scope::kPublic, "", Protocol::kTcp, "a"),
      MakeListener("::", 443, Scope::kPublic, "", Protocol::kTcp, "b"),
      MakeListener("::", 65535, Scope::kPublic, "", Protocol::kUdp, "a"),
      MakeListener("::", 22, Scope::kPublic, "", Protocol::kTcp, "b")};
  const PortIndex index(listeners);
  EXPECT_TRUE(index.Has("b", Protocol::kTcp, {443, 443}));
  EXPECT_TRUE(index.Has("b", Protocol::kTcp, {23, 443}));
  EXPECT_FALSE(index.Has("b", Protocol::kTcp, {23, 442}));
  EXPECT_TRUE(index.Has("a", Protocol::kTcp, {0, 80}));
  EXPECT_FALSE(index.Has("a", Protocol::kTcp, {81, 65535}));  // 65535 is UDP
  EXPECT_TRUE(index.Has("a", Protocol::kUdp, {65535, 65535}));
  EXPECT_FALSE(index.Has("a", Protocol::kUdp, {0, 65534}));
  EXPECT_FALSE(index.Has("b", Protocol::kTcp, {443, 22}));  // reversed: empty
  EXPECT_FALSE(index.Has("", Protocol::kTcp, {0, 65535}));
}

// A wildcard 8443 behind a firewall that drops public sources: a violation judged on the bind
// reach, "bound public, not reachable" either way, and compliant judged on the effective reach.
TEST(EffectiveReachTest, BoundPublicNotReachable) {
  const RuleSet rules = UserRules(DefaultAction::kReport);
  const auto listener = MakeListener("0.0.0.0", 8443, Scope::kPublic, "nginx");
  const PortIndex index(std::span<const inventory::Listener>(&listener, 1));
  firewall::ListenerFirewall shielded;
  shielded.from_public = firewall::Verdict::kDrop;
  shielded.from_private = firewall::Verdict::kAccept;
  const auto bind = EvaluateListener(rules, listener, index, &shielded, config::Judge::kBind);
  EXPECT_TRUE(bind.violation);
  EXPECT_EQ(bind.basis, "bind");
  EXPECT_TRUE(bind.bound_unreachable);
  const auto effective =
      EvaluateListener(rules, listener, index, &shielded, config::Judge::kEffective);
  EXPECT_FALSE(effective.violation);
  EXPECT_EQ(effective.basis, "effective");
  EXPECT_TRUE(effective.bound_unreachable);
  firewall::ListenerFirewall unknown;  // unknown never narrows
  EXPECT_TRUE(
      EvaluateListener(rules, listener, index, &unknown, config::Judge::kEffective).violation);
}

}  // namespace
}  // namespace portwarden::policy
