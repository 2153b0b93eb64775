// Changes since the baseline (policy::CompareWithBaseline, tested in
// tests/unit/policy/baseline_diff_test.cc) over the audit fixture, and their rendering in the
// report's three formats, with a baseline file whose strings are hostile
// (pipes, backticks, newlines, markup, a spreadsheet formula), and the status page's
// firewall and baseline columns.
#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "agent/policy/baseline_diff.h"
#include "exporters/report/audit_report.h"
#include "exporters/report/status_page.h"
#include "tests/unit/exporters/report/audit_fixture.h"

namespace portwarden::exporters::report {
namespace {

using policy::ChangeKind;
using policy::ChangesFromUnapprovedFlags;
using policy::CompareWithBaseline;
using testing::AuditSnapshot;
using testing::kGeneratedAt;

// The fixture's listeners: sshd 0.0.0.0:22 (private, ok), a hostile name on 0.0.0.0:8443
// (public, violation), nginx [::]:443 (public, ok, nginx.service).
constexpr const char* kBaseline = R"toml(
[[listener]]
netns = "host"
proto = "tcp"
address = "0.0.0.0"
port = 22
process = "sshd"
unit = "ssh.service"
reach = "public"
exposure = "ok"

[[listener]]
netns = "host"
proto = "tcp"
address = "::"
port = 443
process = "nginx"
unit = "nginx.service"
reach = "public"
rule = "https-public"
exposure = "ok"

[[listener]]
netns = "=HYPERLINK(\"http://x\")"
proto = "udp"
address = "::1"
port = 53
process = "a|b`c\nd<i>e</i>"
unit = "@evil"
)toml";

BaselineChanges Changes(const state::Snapshot& snapshot) {
  auto baseline = config::ParseBaseline(kBaseline, "baseline.toml");
  EXPECT_TRUE(baseline) << baseline.error().message;
  return CompareWithBaseline(*baseline, snapshot.inventory->listeners, *snapshot.policy);
}

ReportContext Context(const state::Snapshot& snapshot) {
  ReportContext context;
  context.generated_at = kGeneratedAt;
  context.baseline = Changes(snapshot);
  return context;
}

TEST(BaselineChangesTest, AddedRemovedAndChanged) {
  const state::Snapshot snapshot = AuditSnapshot();
  const BaselineChanges changes = Changes(snapshot);
  EXPECT_TRUE(changes.configured);
  EXPECT_EQ(changes.baseline, "baseline.toml, 3 entries");
  ASSERT_EQ(changes.changes.size(), 3u);
  // sshd: matched by its key, but the baseline recorded another unit and reach.
  EXPECT_EQ(changes.changes[0].kind, ChangeKind::kChanged);
  EXPECT_EQ(changes.changes[0].listener, 0u);
  EXPECT_EQ(changes.changes[0].detail, "unit: ssh.service -> -; reach: public -> private");
  // The 8443 listener is in no entry: added (what the agent flags unapproved).
  EXPECT_EQ(changes.changes[1].kind, ChangeKind::kAdded);
  EXPECT_EQ(changes.changes[1].listener, 1u);
  EXPECT_EQ(changes.changes[1].verdict, "violation");
  EXPECT_EQ(changes.changes[1].reach, "public");
  // nginx is unchanged; the udp entry is gone.
  EXPECT_EQ(changes.changes[2].kind, ChangeKind::kRemoved);
  EXPECT_EQ(changes.changes[2].listener, std::nullopt);
  EXPECT_EQ(changes.changes[2].port, 53);
  EXPECT_EQ(changes.changes[2].unit, "@evil");
  EXPECT_EQ(ChangeListenerText(changes.changes[2]),
            "=HYPERLINK(\"http://x\") udp [::1]:53 a|b`c\nd<i>e</i>");
}

TEST(BaselineChangesTest, VerdictChangeIsAChange) {
  state::Snapshot snapshot = AuditSnapshot();
  auto policy = std::make_shared<policy::PolicyReport>(*snapshot.policy);
  policy->verdicts[2].violation = true;  // nginx now violates: the baseline said ok
  snapshot.policy = policy;
  const BaselineChanges changes = Changes(snapshot);
  ASSERT_EQ(changes.changes.size(), 4u);
  EXPECT_EQ(changes.changes[2].kind, ChangeKind::kChanged);
  EXPECT_EQ(changes.changes[2].detail, "exposure: ok -> violation");
}

TEST(BaselineChangesTest, FromTheAgentsFlagsOnly) {
  state::Snapshot snapshot = AuditSnapshot();
  auto policy = std::make_shared<policy::PolicyReport>(*snapshot.policy);
  policy->unapproved = {false, true, false};
  const BaselineChanges changes = ChangesFromUnapprovedFlags(snapshot.inventory->listeners, *policy,
                                                             "/etc/b.toml", "cannot read it here");
  ASSERT_EQ(changes.changes.size(), 1u);
  EXPECT_EQ(changes.changes[0].kind, ChangeKind::kAdded);
  EXPECT_EQ(changes.changes[0].port, 8443);
  EXPECT_EQ(changes.problem, "cannot read it here");
}

TEST(BaselineChangesTest, HtmlEscapesTheBaselinesStrings) {
  const state::Snapshot snapshot = AuditSnapshot();
  const std::string html = HtmlReport(snapshot, Context(snapshot));
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"kw\">removed</td><td>=HYPERLINK(&quot;http://x&quot;)</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>a|b`c\\x0ad&lt;i&gt;e&lt;/i&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"kw bad\">changed</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>unit: ssh.service -&gt; -; reach: public -&gt; private</td>"),
            std::string::npos);
}

TEST(BaselineChangesTest, MarkdownKeepsOneRowPerChange) {
  const state::Snapshot snapshot = AuditSnapshot();
  const std::string md = MarkdownReport(snapshot, Context(snapshot));
  // The pipe, backtick and newline of the process name stay inside their cell.
  EXPECT_NE(md.find("| removed | =HYPERLINK(\"http://x\") | udp | ::1 | 53 | "
                    "a\\|b\\`c\\\\x0ad&lt;i&gt;e&lt;/i&gt; | @evil | - | - | baseline line "),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| added | host | tcp | 0.0.0.0 | 8443 |"), std::string::npos);
  const auto section = md.find("## Changes since the baseline");
  const auto next = md.find("## Listeners");
  ASSERT_NE(section, std::string::npos);
  int rows = 0;
  for (auto at = md.find("\n|", section); at < next; at = md.find("\n|", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 2 + 3);  // header, rule, three changes
}

TEST(BaselineChangesTest, CsvHasAChangeColumnAndNeutralisesFormulas) {
  const state::Snapshot snapshot = AuditSnapshot();
  const std::string csv = CsvReport(snapshot, Context(snapshot));
  EXPECT_NE(csv.find(",rule,verdict,change,change_detail,"), std::string::npos)
      << csv.substr(0, 300);
  EXPECT_NE(csv.find("\"baseline\",\"auditee\""), std::string::npos);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\")\",\"udp\",\"::1\",\"53\""),
            std::string::npos);
  EXPECT_NE(csv.find("\"'@evil\""), std::string::npos);
  EXPECT_EQ(csv.find('\n', 0), csv.find("\r\n") + 1);  // no raw newline inside a field
  EXPECT_NE(csv.find("\"https-alt-internal\",\"violation\",\"added\",\"\""), std::string::npos);
  EXPECT_NE(csv.find("\"changed\",\"unit: ssh.service -> -; reach: public -> private\""),
            std::string::npos);
}

// The status page's listener table: the firewall verdicts and the basis of each verdict,
// and the Baseline column when one is in force.
TEST(StatusPageTest, FirewallAndBaselineColumns) {
  state::Snapshot snapshot = AuditSnapshot();
  auto firewall = std::make_shared<firewall::FirewallReport>();
  firewall->enabled = true;
  firewall->listeners.resize(3);
  firewall->listeners[1].from_public = firewall::Verdict::kAccept;
  firewall->listeners[1].from_private = firewall::Verdict::kAccept;
  firewall->listeners[0].from_public = firewall::Verdict::kDrop;
  snapshot.firewall = firewall;
  auto policy = std::make_shared<policy::PolicyReport>(*snapshot.policy);
  policy->unapproved = {false, true, false};
  policy->baseline.loaded = true;
  policy->verdicts[1].basis = "effective";
  snapshot.policy = policy;
  const config::Config config = config::Defaults();
  StatusPageInput input;
  input.snapshot = &snapshot;
  input.config = &config;
  input.now = kGeneratedAt;
  const std::string page = RenderStatusPage(input);
  EXPECT_NE(page.find("<th scope=\"col\">Basis</th><th scope=\"col\">Firewall</th>"
                      "<th scope=\"col\">Baseline</th>"),
            std::string::npos);
  EXPECT_NE(page.find("<td class=\"kw\">bind</td><td class=\"kw\">public drop, private "
                      "unknown</td><td class=\"kw\">approved</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td class=\"kw\">effective</td><td class=\"kw warn\">public accept, "
                      "private accept</td><td class=\"kw bad\">UNAPPROVED</td>"),
            std::string::npos);
  EXPECT_NE(page.find("Listeners (3, 1 not in the baseline)"), std::string::npos);
  // Without the stage and without a baseline: "-" and no Baseline column.
  const state::Snapshot plain = AuditSnapshot();
  input.snapshot = &plain;
  const std::string bare = RenderStatusPage(input);
  EXPECT_EQ(bare.find(">Baseline</th>"), std::string::npos);
  EXPECT_NE(bare.find("<td class=\"kw\">bind</td><td class=\"kw\">-</td></tr>"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::exporters::report
