// The audit report's three formats against golden files (tests/fixtures/report/), the shared
// audit view, and the status page's escaping. Regenerate the golden files after an intended
// change with PORTWARDEN_UPDATE_GOLDEN=1 (then review the diff);
// tests/integration/status_page/report_test.py parses the same files with real parsers.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "exporters/report/audit_report.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/page_cache.h"
#include "exporters/report/status_page.h"
#include "tests/lib/synthetic_snapshot.h"
#include "tests/unit/exporters/report/audit_fixture.h"

namespace portwarden::exporters::report {
namespace {

using testing::AuditSnapshot;
using testing::kGeneratedAt;

ReportContext Context() {
  ReportContext context;
  context.generated_at = kGeneratedAt;
  context.source = "read from http://auditee:19443/api/state";
  context.agent_version = "0.1.0";
  context.agent_revision = "abc123";
  context.report_version = "0.1.0";
  context.user_names = {{0, "root"}};
  return context;
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PORTWARDEN_REPORT_FIXTURES) + "/" + name;
  if (std::getenv("PORTWARDEN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " missing: run with PORTWARDEN_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "differs from " << path;
}

TEST(AuditReportTest, HtmlMatchesGolden) {
  ExpectGolden("report.html", HtmlReport(AuditSnapshot(), Context()));
}

TEST(AuditReportTest, MarkdownMatchesGolden) {
  ExpectGolden("report.md", MarkdownReport(AuditSnapshot(), Context()));
}

TEST(AuditReportTest, CsvMatchesGolden) {
  ExpectGolden("report.csv", CsvReport(AuditSnapshot(), Context()));
}

TEST(AuditReportTest, NoBaselineIsSaid) {
  EXPECT_NE(HtmlReport(AuditSnapshot(), Context()).find("No baseline is configured"),
            std::string::npos);
  EXPECT_NE(MarkdownReport(AuditSnapshot(), Context()).find("No baseline is configured"),
            std::string::npos);
}

TEST(AuditViewTest, VerdictsBucketsAndSummary) {
  const state::Snapshot snapshot = AuditSnapshot();
  const AuditView view = BuildAuditView(snapshot, kGeneratedAt);
  EXPECT_EQ(view.summary.listeners, 3);
  EXPECT_EQ(view.summary.violations, 1);
  EXPECT_EQ(view.summary.by_scope[static_cast<int>(Scope::kPublic)], 2);
  EXPECT_EQ(view.summary.probe_failures, 2);
  EXPECT_EQ(view.summary.by_expiry[static_cast<int>(ExpiryBucket::kUnder30)], 1);
  EXPECT_EQ(view.summary.by_expiry[static_cast<int>(ExpiryBucket::kExpired)], 1);
  EXPECT_EQ(view.endpoints[0].verdict, "ok");
  EXPECT_NEAR(*view.endpoints[0].days_left, 20.5, 1e-9);
  EXPECT_EQ(view.endpoints[1].verdict, "failed: verify");
  EXPECT_EQ(view.endpoints[1].error, "self_signed: self-signed certificate");
  EXPECT_EQ(view.endpoints[2].verdict, "failed: connect_refused");
  EXPECT_EQ(view.listeners[2].endpoint, "*:443");  // dual stack, as ss prints it
  EXPECT_EQ(view.listeners[1].verdict, "VIOLATION (https-alt-internal)");
  inventory::Listener v6only = snapshot.inventory->listeners[2];
  v6only.v6only = true;
  EXPECT_EQ(ListenerEndpoint(v6only), "[::]:443");
}

TEST(StatusPageTest, HostileNamesAreTextAndControlsVisible) {
  const state::Snapshot snapshot = AuditSnapshot();
  const config::Config config = config::Defaults();
  StatusPageInput input;
  input.snapshot = &snapshot;
  input.config = &config;
  input.now = kGeneratedAt;
  const std::string page = RenderStatusPage(input);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_EQ(page.find("\xE2\x80\xAE"), std::string::npos);  // no raw right-to-left override
  EXPECT_EQ(page.find('\x1b'), std::string::npos);
  EXPECT_NE(page.find("&lt;b&gt;x\\u{202e}\\x1b[1m|=1 (pid 4242)"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;\\u{202e}|*x*"), std::string::npos);
  input.max_listener_rows = 1;
  EXPECT_NE(RenderStatusPage(input).find("2 more listeners"), std::string::npos);
}

// What one rendering costs at the default series cap (2,000 listeners) and 100 endpoints: the
// reason the page is cached per snapshot rather than rendered per request. Printed, not
// asserted (no timing assertions); the size is bounded by orders of magnitude.
TEST(StatusPageTest, RenderCostAtTheListenerCap) {
  const state::Snapshot snapshot =
      portwarden::testing::SyntheticSnapshot({.endpoints = 100, .listeners = 2000});
  const config::Config config = config::Defaults();
  StatusPageInput input;
  input.snapshot = &snapshot;
  input.config = &config;
  input.now = kGeneratedAt;
  const auto started = std::chrono::steady_clock::now();
  constexpr int kRounds = 5;
  std::size_t bytes = 0;
  for (int i = 0; i < kRounds; ++i) {
    bytes = RenderStatusPage(input).size();
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count() /
      kRounds;
  std::printf("status page: 2000 listeners, 100 endpoints: %zu bytes, %.2f ms per rendering\n",
              bytes, ms);
  EXPECT_GT(bytes, 200u * 1000);
  EXPECT_LT(bytes, 4u * 1000 * 1000);
}

TEST(PageCacheTest, RendersOncePerGeneration) {
  auto snapshot = std::make_shared<state::Snapshot>();
  snapshot->generation = 1;
  std::shared_ptr<const state::Snapshot> current = snapshot;
  PageCache cache([&current] { return current; },
                  [](const state::Snapshot& s) { return std::to_string(s.generation); });
  EXPECT_EQ(*cache.Get(), "1");
  EXPECT_EQ(*cache.Get(), "1");
  EXPECT_EQ(cache.renders(), 1u);
  auto next = std::make_shared<state::Snapshot>();
  next->generation = 2;
  current = next;
  EXPECT_EQ(*cache.Get(), "2");
  EXPECT_EQ(cache.renders(), 2u);
}

}  // namespace
}  // namespace portwarden::exporters::report
