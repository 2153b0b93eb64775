// TextWriter (the streaming path of /metrics) against FamiliesWriter + prometheus-cpp's
// TextSerializer (the families path): byte-identical for the same writes, and both accepted
// by Prometheus's own parser (`promtool check metrics`, Debian's prometheus package) with
// hostile label values: quotes, backslashes, newlines, invalid UTF-8 in certificate fields.
#include "exporters/prometheus/text_writer.h"

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>

#include "agent/core/utf8.h"
#include "agent/posture/posture_report.h"
#include "exporters/prometheus/exposition.h"
#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "tests/lib/privilege.h"
#include "tests/lib/synthetic_snapshot.h"
#include "tests/unit/core/hostile_strings.h"

namespace portwarden::exporters::prom {
namespace {

// The same writes through both paths.
template <typename Write>
std::pair<std::string, std::string> BothPaths(Write write) {
  std::string streamed;
  {
    TextWriter writer([&streamed](std::string_view piece) { streamed += piece; });
    write(static_cast<MetricWriter&>(writer));
  }
  Families families;
  FamiliesWriter writer(families);
  write(static_cast<MetricWriter&>(writer));
  return {streamed, SerializeText(families)};
}

bool HavePromtool() {
  return std::system("command -v promtool > /dev/null 2>&1") == 0;
}

// `promtool check metrics` exits 0 for a page it parses (and finds nothing to lint); the
// text of its complaint otherwise.
std::string PromtoolComplaint(const std::string& page) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("portwarden-text-writer-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = (dir / "page.txt").string();
  std::ofstream(file, std::ios::binary) << page;
  const std::string command = "promtool check metrics < " + file + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe != nullptr && std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    output += buffer;
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  std::filesystem::remove_all(dir);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0
             ? ""
             : "exit " + std::to_string(status) + ": " + output;
}

TEST(TextWriterTest, ValuesAndHistogramsAsPrometheusCppWritesThem) {
  const auto [streamed, families] = BothPaths([](MetricWriter& out) {
    out.Family("portwarden_test_values", "Values of every kind.", prometheus::MetricType::Gauge);
    for (const double v :
         {0.0, 1.0, -2.5, 0.1, 1.0 / 3, 1764600000.123456, 1e20, 1e-7, 123456789012345678.0,
          std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
          std::numeric_limits<double>::quiet_NaN()}) {
      out.Sample({{"a", "x"}}, v);
    }
    out.Family("portwarden_test_unlabeled_total", "", prometheus::MetricType::Counter);
    out.Sample(LabelViews{}, 7);
    out.Family("portwarden_test_empty", "Announced with no sample.", prometheus::MetricType::Gauge);
    out.Family("portwarden_test_seconds", "A histogram.", prometheus::MetricType::Histogram);
    const double bounds[] = {0.005, 0.25, 1, 10};
    const std::uint64_t cumulative[] = {1, 2, 2, 3};
    const LabelView labels[] = {{"target", "a:443"}, {"source", "config"}};
    out.Histogram(labels, bounds, cumulative, 4, 12.5);
    out.Histogram({}, bounds, cumulative, 3, 0.25);
  });
  EXPECT_EQ(streamed, families);
  EXPECT_NE(streamed.find("portwarden_test_seconds_bucket{target=\"a:443\",source=\"config\","
                          "le=\"+Inf\"} 4\n"),
            std::string::npos)
      << streamed;
}

TEST(TextWriterTest, HostileLabelValuesAreEscapedAndValidUtf8OnBothPaths) {
  const std::vector<std::string> hostile = testing::HostileStrings(500);
  const auto [streamed, families] = BothPaths([&hostile](MetricWriter& out) {
    out.Family("portwarden_test_info", "Hostile label values.", prometheus::MetricType::Gauge);
    for (std::size_t i = 0; i < hostile.size(); ++i) {
      const std::string index = std::to_string(i);
      out.Sample({{"i", index}, {"v", hostile[i]}}, 1);
    }
  });
  EXPECT_EQ(streamed, families);
  EXPECT_TRUE(utf8::IsValid(streamed));
  // One line per sample: every newline inside a value was escaped.
  EXPECT_EQ(static_cast<std::size_t>(std::count(streamed.begin(), streamed.end(), '\n')),
            hostile.size() + 2);
  if (!HavePromtool()) {
    PORTWARDEN_SKIP_UNPRIVILEGED("promtool (Debian package prometheus) is not installed");
  }
  EXPECT_EQ(PromtoolComplaint(streamed), "");
}

// A whole snapshot whose certificates and targets carry hostile text (as a hostile server's
// certificate would, had the domain's own sanitizing let it through), and posture results
// (versions, findings, groups) with hostile names: the streamed rendering
// equals the families' serialization, and Prometheus's parser accepts both.
TEST(TextWriterTest, HostileSnapshotRendersIdenticallyAndParses) {
  state::Snapshot snapshot = testing::SyntheticSnapshot({.endpoints = 40, .listeners = 3});
  auto probes = std::make_shared<probe::ProbeReport>(*snapshot.probes);
  const std::vector<std::string> hostile = testing::HostileStrings(200);
  std::size_t next = 0;
  const auto pick = [&] { return hostile[next++ % hostile.size()]; };
  for (auto& result : probes->results) {
    result.server_name = pick();
    result.cipher = pick();
    for (auto& cert : result.chain) {
      cert.subject_cn = pick();
      cert.issuer_cn = pick();
      cert.san = pick() + "," + pick();
      cert.serial = pick();
    }
  }
  snapshot.probes = probes;
  auto posture = std::make_shared<posture::PostureReport>();
  for (int i = 0; i < 20; ++i) {
    posture::PostureResult result{.target = pick(),
                                  .address = "192.0.2.1:443",
                                  .server_name = pick(),
                                  .timestamp = 1764600000.5 + i,
                                  .reached = i % 5 != 0};
    result.versions = {{.version = "TLS 1.2", .accepted = true}, {.version = "TLS 1.3"}};
    result.findings = {posture::Check{}};
    result.groups = {{.group = "X25519", .supported = true},
                     {.group = "secp384r1", .supported = false},
                     {.group = pick(), .error_reason = "timeout"}};
    posture->results.push_back(std::move(result));
  }
  snapshot.posture = posture;
  const std::string streamed = RenderSnapshotText(snapshot, {});
  const std::string families = SerializeText(CollectSnapshotFamilies(snapshot, {}));
  EXPECT_EQ(streamed, families);
  EXPECT_NE(streamed.find("portwarden_tls_cert_info{"), std::string::npos);
  EXPECT_NE(streamed.find("portwarden_tls_group_probe_error{"), std::string::npos);
  EXPECT_NE(streamed.find("portwarden_tls_protocol_accepted{"), std::string::npos);
  EXPECT_TRUE(utf8::IsValid(streamed));
  if (!HavePromtool()) {
    PORTWARDEN_SKIP_UNPRIVILEGED("promtool (Debian package prometheus) is not installed");
  }
  EXPECT_EQ(PromtoolComplaint(streamed), "");
  EXPECT_EQ(PromtoolComplaint(families), "");
}

TEST(TextWriterTest, LargeOutputReachesTheSinkInBoundedPieces) {
  std::size_t pieces = 0;
  std::size_t largest = 0;
  std::string joined;
  {
    TextWriter writer([&](std::string_view piece) {
      ++pieces;
      largest = std::max(largest, piece.size());
      joined += piece;
    });
    writer.Family("portwarden_test_info", "Many samples.", prometheus::MetricType::Gauge);
    const std::string value(100, 'x');
    for (int i = 0; i < 5000; ++i) {
      writer.Sample({{"v", value}}, i);
    }
  }
  EXPECT_GT(pieces, 10u);
  EXPECT_LT(largest, TextWriter::kFlushBytes + 1024);
  EXPECT_TRUE(joined.ends_with("portwarden_test_info{v=\"" + std::string(100, 'x') + "\"} 4999\n"));
}

}  // namespace
}  // namespace portwarden::exporters::prom
