#include "agent/policy/baseline.h"

#include <gtest/gtest.h>

#include "agent/config/baseline.h"
#include "tests/unit/policy/test_listeners.h"

namespace portwarden::policy {
namespace {

using testing_support::MakeListener;
using testing_support::WithUnit;

std::vector<inventory::Listener> Host() {
  auto unnamed = WithUnit(
      MakeListener("0.0.0.0", 8080, Scope::kPrivate, "java", Protocol::kTcp, "net:[4026532999]"),
      "docker-abc.scope");
  return {MakeListener("0.0.0.0", 22, Scope::kPublic, "sshd"),
          MakeListener("127.0.0.1", 5432, Scope::kLoopback, "postgres"),
          MakeListener("::", 53, Scope::kPublic, "named", Protocol::kUdp), unnamed,
          MakeListener("10.0.0.5", 8443, Scope::kPrivate, "", Protocol::kTcp, "blue")};
}

TEST(BaselineTest, NetnsIdentitySurvivesReboots) {
  const auto listeners = Host();
  EXPECT_EQ(NetnsIdentity(listeners[0]), "host");
  EXPECT_EQ(NetnsIdentity(listeners[3]), "unit:docker-abc.scope");
  EXPECT_EQ(NetnsIdentity(listeners[4]), "blue");
  auto bare = listeners[3];
  bare.process.unit.clear();
  EXPECT_EQ(NetnsIdentity(bare), "unnamed");
}

TEST(BaselineTest, SavedTextReadsBackAndApprovesEveryListener) {
  const auto listeners = Host();
  std::vector<Verdict> verdicts(listeners.size(), Verdict{"default", false, {}});
  verdicts[0].violation = true;
  const std::string text = BaselineText(listeners, verdicts, "box", "2026-01-01T00:00:00Z");
  EXPECT_NE(text.find("# portwarden baseline: the approved listeners of box"), std::string::npos);
  EXPECT_NE(text.find("exposure = \"violation\""), std::string::npos);
  auto baseline = config::ParseBaseline(text, "saved.toml");
  ASSERT_TRUE(baseline) << baseline.error().message;
  EXPECT_EQ(baseline->entries.size(), listeners.size());
  for (const bool unapproved : Unapproved(*baseline, listeners)) {
    EXPECT_FALSE(unapproved);
  }
  // Stable order: the same listeners in another order give the same text.
  auto reversed = listeners;
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(BaselineText(reversed, {}, "box", "t"), BaselineText(listeners, {}, "box", "t"));
}

TEST(BaselineTest, FirewallVerdictIsSavedAndOptional) {
  const auto listeners = Host();
  std::vector<firewall::ListenerFirewall> firewall(listeners.size());
  firewall[0].from_public = firewall::Verdict::kDrop;
  firewall[0].from_private = firewall::Verdict::kAccept;
  const std::string text = BaselineText(listeners, {}, "box", "t", firewall);
  EXPECT_NE(text.find("port = 22\nprocess = \"sshd\"\nreach = \"public\"\n"
                      "verdict = \"public:drop private:accept\"\n"),
            std::string::npos)
      << text;
  auto with = config::ParseBaseline(text, "with.toml");
  ASSERT_TRUE(with) << with.error().message;
  EXPECT_EQ(with->entries.size(), listeners.size());
  // Files saved before the verdict was recorded (or without the firewall stage) still load.
  const std::string without = BaselineText(listeners, {}, "box", "t");
  EXPECT_EQ(without.find("verdict = "), std::string::npos);
  auto old = config::ParseBaseline(without, "old.toml");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(Unapproved(*old, listeners), Unapproved(*with, listeners));
}

TEST(BaselineTest, NewListenerOrOtherProcessIsUnapproved) {
  const auto listeners = Host();
  auto baseline = config::ParseBaseline(BaselineText(listeners, {}, "box", "t"), "b.toml");
  ASSERT_TRUE(baseline);
  auto now = listeners;
  now.push_back(MakeListener("0.0.0.0", 8443, Scope::kPublic, "nc"));
  now[1].process.comm = "evil";  // same bind, other process
  const auto flags = Unapproved(*baseline, now);
  EXPECT_EQ(flags, (std::vector<bool>{false, true, false, false, false, true}));
}

TEST(BaselineTest, AnEntryWithoutProcessApprovesAnyOwner) {
  auto baseline = config::ParseBaseline(
      "[[listener]]\nnetns = \"host\"\nproto = \"tcp\"\naddress = \"0.0.0.0\"\nport = 22\n",
      "b.toml");
  ASSERT_TRUE(baseline) << baseline.error().message;
  const std::vector<inventory::Listener> listeners{
      MakeListener("0.0.0.0", 22, Scope::kPublic, "dropbear")};
  EXPECT_EQ(Unapproved(*baseline, listeners), std::vector<bool>{false});
}

}  // namespace
}  // namespace portwarden::policy
