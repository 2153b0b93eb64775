// Each output format against hostile strings: the Prometheus text exposition, the terminal
// table and the status page stay well-formed whatever the label values and names hold.
#include <gtest/gtest.h>

#include "agent/core/terminal_escape.h"
#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"
#include "exporters/prometheus/family_builder.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "exporters/report/report.h"
#include "exporters/report/status_page.h"
#include "tests/unit/core/hostile_strings.h"

namespace portwarden::exporters {
namespace {

// The label value of one sample line `name{v="..."} 1`, unescaped as Prometheus's parser
// does (only \\, \" and \n are escapes); nullopt when the line would not parse.
std::optional<std::string> ParseValue(std::string_view line) {
  constexpr std::string_view kPrefix = "portwarden_test_info{v=\"";
  constexpr std::string_view kSuffix = "\"} 1";
  if (!line.starts_with(kPrefix) || !line.ends_with(kSuffix)) {
    return std::nullopt;
  }
  line = line.substr(kPrefix.size(), line.size() - kPrefix.size() - kSuffix.size());
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"' || line[i] == '\n') {
      return std::nullopt;
    }
    if (line[i] != '\\') {
      out += line[i];
      continue;
    }
    if (++i == line.size()) {
      return std::nullopt;
    }
    switch (line[i]) {
      case '\\':
        out += '\\';
        break;
      case '"':
        out += '"';
        break;
      case 'n':
        out += '\n';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

TEST(PrometheusOutputTest, EveryLabelValueParsesAndIsValidUtf8) {
  for (const std::string& raw : testing::HostileStrings(2000)) {
    prom::Families families;
    prom::Gauge("portwarden_test_info", "Hostile label values.")
        .Add({{"v", raw}}, 1)
        .MoveInto(families);
    const std::string text = prom::SerializeText(families);
    ASSERT_TRUE(utf8::IsValid(text)) << ::testing::PrintToString(raw);
    const auto lines = text.substr(text.find("gauge\n") + 6);
    ASSERT_EQ(lines.find('\n'), lines.size() - 1) << ::testing::PrintToString(text);
    const auto value = ParseValue(std::string_view(lines).substr(0, lines.size() - 1));
    ASSERT_TRUE(value) << ::testing::PrintToString(text);
    // What the exporter guarantees: the value as a valid UTF-8 string, unchanged if it was one.
    if (utf8::IsValid(raw)) {
      EXPECT_EQ(*value, raw);
    } else {
      EXPECT_EQ(*value, text::SanitizeUtf8(raw, raw.size() * 3));  // each bad byte: U+FFFD
    }
  }
}

inventory::InventoryReport HostileInventory() {
  inventory::InventoryReport report;
  report.success = true;
  for (const std::string name : {"\x1b[31mred\nevil", "bad\xEF\xBF\xBD\xEF\xBF\xBDutf8", "sshd",
                                 "\xE2\x80\xAE"
                                 "exe.txt"}) {
    inventory::Listener l;
    l.address = "0.0.0.0";
    l.port = static_cast<std::uint16_t>(1000 + report.listeners.size());
    l.netns = report.listeners.empty() ? "ns\x1b]0;x\x07" : "host";
    l.process.pid = 4242;
    l.process.comm = name;
    l.process.unit = "unit\tname.service";
    report.listeners.push_back(l);
  }
  return report;
}

TEST(ReportOutputTest, TableCarriesNoControlCharactersAndStaysAligned) {
  const std::string table = report::ListenerTable(HostileInventory(), {});
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < table.size();) {
    const auto end = table.find('\n', at);
    lines.push_back(table.substr(at, end - at));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 5U) << table;  // header + 4 rows: no name broke a line
  for (const std::string& line : lines) {
    EXPECT_EQ(TerminalSafe(line), line) << line;  // nothing left to escape
  }
  EXPECT_NE(table.find("\\x1b[31mred\\x0aevil"), std::string::npos) << table;
  EXPECT_NE(table.find("\\u{202e}exe.txt"), std::string::npos) << table;
  // The PID column starts at the same displayed column on every line.
  const auto pid_column = [](const std::string& line, std::string_view pid) {
    return TerminalWidth(line.substr(0, line.find(pid)));
  };
  const std::size_t header = pid_column(lines[0], "PID");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(pid_column(lines[i], "4242"), header) << lines[i];
  }
}

std::string StatusPage(const std::string& telemetry_path) {
  static const state::Snapshot snapshot;
  static const config::Config config = config::Defaults();
  report::StatusPageInput input;
  input.snapshot = &snapshot;
  input.config = &config;
  input.telemetry_path = telemetry_path;
  return report::RenderStatusPage(input);
}

TEST(StatusPageTest, TelemetryPathIsEscaped) {
  const std::string page = StatusPage("/m\"><script>alert(1)</script>&'");
  EXPECT_EQ(page.find("<script>"), std::string::npos) << page;
  EXPECT_NE(page.find("href=\"/m&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;\""),
            std::string::npos)
      << page;
  EXPECT_NE(StatusPage("/metrics").find("<a href=\"/metrics\">"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::exporters
