// The diff against a baseline: added (in no entry), removed (an entry nothing matches),
// changed (matched, but the unit, reach, verdict or rule the file recorded differ), with the
// same match as Unapproved.
#include "agent/policy/baseline_diff.h"

#include <gtest/gtest.h>

#include "agent/policy/baseline.h"

namespace portwarden::policy {
namespace {

inventory::Listener Make(std::string address, std::uint16_t port, std::string comm, Scope scope) {
  inventory::Listener l;
  l.netns = "host";
  l.address = std::move(address);
  l.port = port;
  l.process.comm = std::move(comm);
  l.scope = scope;
  return l;
}

config::BaselineEntry Entry(std::string address, std::uint16_t port, std::string comm) {
  config::BaselineEntry e;
  e.netns = "host";
  e.address = std::move(address);
  e.port = port;
  e.process = std::move(comm);
  return e;
}

TEST(BaselineDiffTest, AddedRemovedChangedAgreeWithUnapproved) {
  const std::vector<inventory::Listener> listeners = {
      Make("0.0.0.0", 22, "sshd", Scope::kPublic),            // changed: reach and unit
      Make("127.0.0.1", 5432, "postgres", Scope::kLoopback),  // unchanged
      Make("0.0.0.0", 8443, "java", Scope::kPublic),          // added
  };
  PolicyReport policy;
  policy.verdicts = {{"remote-admin-internal", true, {}},
                     {"default", false, {}},
                     {"https-alt-internal", true, {}}};
  config::Baseline baseline;
  baseline.source = "b.toml";
  baseline.entries = {Entry("0.0.0.0", 22, "sshd"), Entry("127.0.0.1", 5432, "postgres"),
                      Entry("0.0.0.0", 80, "nginx")};
  baseline.entries[0].reach = "private";
  baseline.entries[0].unit = "ssh.service";
  baseline.entries[0].exposure = "ok";
  baseline.entries[1].reach = "loopback";
  baseline.entries[2].line = 17;
  const BaselineChanges changes = CompareWithBaseline(baseline, listeners, policy);
  ASSERT_EQ(changes.changes.size(), 3u);
  EXPECT_EQ(changes.baseline, "b.toml, 3 entries");
  EXPECT_EQ(changes.changes[0].kind, ChangeKind::kChanged);
  EXPECT_EQ(changes.changes[0].detail,
            "unit: ssh.service -> -; reach: private -> public; exposure: ok -> violation");
  EXPECT_EQ(changes.changes[1].kind, ChangeKind::kAdded);
  EXPECT_EQ(changes.changes[1].listener, 2u);
  EXPECT_EQ(changes.changes[2].kind, ChangeKind::kRemoved);
  EXPECT_EQ(changes.changes[2].port, 80);
  EXPECT_EQ(changes.changes[2].detail, "baseline line 17");
  EXPECT_EQ(ChangeListenerText(changes.changes[2]), "host tcp 0.0.0.0:80 nginx");
  // "added" is exactly what the agent flags unapproved.
  const std::vector<bool> unapproved = Unapproved(baseline, listeners);
  EXPECT_EQ(unapproved, (std::vector<bool>{false, false, true}));
}

TEST(BaselineDiffTest, AnyProcessEntryAndNoVerdicts) {
  std::vector<inventory::Listener> listeners = {Make("::", 443, "nginx", Scope::kPublic)};
  listeners[0].family = AddressFamily::kIpv6;
  config::Baseline baseline;
  baseline.entries = {Entry("::", 443, "")};
  baseline.entries[0].process.reset();         // approves any process on that bind
  baseline.entries[0].exposure = "violation";  // not compared: the scan has no verdicts
  EXPECT_TRUE(CompareWithBaseline(baseline, listeners, PolicyReport{}).changes.empty());
  baseline.entries.clear();
  const auto changes = CompareWithBaseline(baseline, listeners, PolicyReport{});
  ASSERT_EQ(changes.changes.size(), 1u);
  EXPECT_EQ(ChangeListenerText(changes.changes[0]), "host tcp [::]:443 nginx");
  EXPECT_EQ(changes.changes[0].verdict, "");
}

TEST(BaselineDiffTest, FromFlagsListsOnlyTheUnapproved) {
  const std::vector<inventory::Listener> listeners = {Make("0.0.0.0", 22, "sshd", Scope::kPublic),
                                                      Make("0.0.0.0", 25, "exim", Scope::kPublic)};
  PolicyReport policy;
  policy.unapproved = {false, true};
  const auto changes = ChangesFromUnapprovedFlags(listeners, policy, "f", "why");
  ASSERT_EQ(changes.changes.size(), 1u);
  EXPECT_EQ(changes.changes[0].port, 25);
  EXPECT_TRUE(changes.configured);
  EXPECT_EQ(changes.problem, "why");
  EXPECT_TRUE(ChangesFromUnapprovedFlags(listeners, PolicyReport{}, "f", "why").changes.empty());
}

TEST(BaselineDiffTest, AFirewallThatOpensAPortIsAChangeEvenWhenTheExposureIsTheSame) {
  const std::vector<inventory::Listener> listeners = {
      Make("0.0.0.0", 8443, "java", Scope::kPublic)};
  config::Baseline baseline;
  baseline.entries = {Entry("0.0.0.0", 8443, "java")};
  baseline.entries[0].firewall = "public:drop private:accept";
  firewall::ListenerFirewall now;
  now.from_public = firewall::Verdict::kAccept;
  now.from_private = firewall::Verdict::kAccept;
  const std::vector<firewall::ListenerFirewall> verdicts = {now};
  const auto changes = CompareWithBaseline(baseline, listeners, PolicyReport{}, verdicts);
  ASSERT_EQ(changes.changes.size(), 1u);
  EXPECT_EQ(changes.changes[0].kind, ChangeKind::kChanged);
  EXPECT_EQ(changes.changes[0].detail,
            "firewall: public:drop private:accept -> public:accept private:accept");
  // Without firewall verdicts in the report (the stage off) nothing is compared.
  EXPECT_TRUE(CompareWithBaseline(baseline, listeners, PolicyReport{}).changes.empty());
}

}  // namespace
}  // namespace portwarden::policy
