// /api/state read back (report --from): a round trip of the writer, bounds, and errors that
// name the field; IndentJson keeps the document (parsed equal) and indents it.
#include "exporters/json/state_reader.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "exporters/json/json_indent.h"
#include "exporters/json/state_json.h"
#include "tests/unit/exporters/report/audit_fixture.h"

namespace portwarden::exporters::json {
namespace {

TEST(StateReaderTest, RoundTripsWhatTheAgentWrites) {
  const state::Snapshot written = report::testing::AuditSnapshot();
  auto read = ReadStateJson(SnapshotJson(written));
  ASSERT_TRUE(read) << read.error().message;
  const state::Snapshot& s = read->snapshot;
  EXPECT_EQ(s.host.hostname, "auditee");
  EXPECT_EQ(s.host.machine_id, written.host.machine_id);
  ASSERT_EQ(s.inventory->listeners.size(), 3u);
  EXPECT_EQ(s.inventory->listeners[1].process.comm, written.inventory->listeners[1].process.comm);
  EXPECT_EQ(s.inventory->listeners[2].v6only, std::optional<bool>(false));
  ASSERT_EQ(s.policy->verdicts.size(), 3u);
  EXPECT_TRUE(s.policy->verdicts[1].violation);
  EXPECT_EQ(s.policy->verdicts[1].rule, "https-alt-internal");
  ASSERT_EQ(s.probes->results.size(), 3u);
  EXPECT_EQ(s.probes->results[1].chain[0].subject_cn,
            written.probes->results[1].chain[0].subject_cn);
  EXPECT_EQ(s.probes->results[0].chain[1].not_after, written.probes->results[0].chain[1].not_after);
  EXPECT_EQ(s.probes->results[2].failure_reason, "connect_refused");
  EXPECT_EQ(s.collectors.size(), 2u);
  EXPECT_FALSE(read->agent_version.empty());
}

// What `report --from` needs to list the changes since the agent's baseline: which file, and
// which listeners the agent flags unapproved.
TEST(StateReaderTest, CarriesTheBaselineAndUnapprovedFlags) {
  state::Snapshot written = report::testing::AuditSnapshot();
  auto policy = std::make_shared<policy::PolicyReport>(*written.policy);
  policy->unapproved = {false, true, false};
  policy->baseline = {.file = "/etc/portwarden/baseline.toml",
                      .loaded = true,
                      .last_load_ok = true,
                      .error = "",
                      .entries = 2,
                      .load_timestamp = 1.8e9};
  written.policy = policy;
  auto read = ReadStateJson(SnapshotJson(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->snapshot.policy->unapproved, policy->unapproved);
  EXPECT_EQ(read->snapshot.policy->baseline.file, "/etc/portwarden/baseline.toml");
  EXPECT_TRUE(read->snapshot.policy->baseline.loaded);
  EXPECT_EQ(read->snapshot.policy->baseline.entries, 2u);
  // No baseline in force: no flags (not "all approved").
  auto none = ReadStateJson(SnapshotJson(report::testing::AuditSnapshot()));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->snapshot.policy->unapproved.empty());
  EXPECT_EQ(none->snapshot.policy->baseline.file, "");
}

TEST(StateReaderTest, RejectsWhatIsNotState) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"# HELP x\n", "not JSON"},
      {"[]", "expected a JSON object"},
      {R"({"a":1})", "not the body of /api/state"},
      {R"({"listeners":[{"port":70000}],"probes":[]})", "port: out of range"},
      {R"({"listeners":[{"address":5}],"probes":[]})", "address: expected a string"},
      {R"({"listeners":{},"probes":[]})", "listeners: expected an array"},
      {std::string(40, '[') + std::string(40, ']'), "deeper than 16"},
  };
  for (const auto& [text, message] : cases) {
    auto read = ReadStateJson(text);
    ASSERT_FALSE(read) << text;
    EXPECT_NE(read.error().message.find(message), std::string::npos)
        << text << " -> " << read.error().message;
  }
}

TEST(StateReaderTest, SanitizesStringsFromOutside) {
  auto read = ReadStateJson(R"({"listeners":[{"process":{"comm":")" + std::string(500, 'x') +
                            R"(\u0000"}}],"probes":[]})");
  ASSERT_TRUE(read) << read.error().message;
  const std::string& comm = read->snapshot.inventory->listeners[0].process.comm;
  EXPECT_LE(comm.size(), 64u);
  EXPECT_EQ(comm.find('\0'), std::string::npos);
}

TEST(JsonIndentTest, SameDocumentIndented) {
  const std::string compact = SnapshotJson(report::testing::AuditSnapshot());
  const std::string pretty = IndentJson(compact);
  EXPECT_EQ(nlohmann::json::parse(pretty), nlohmann::json::parse(compact));
  EXPECT_EQ(pretty.substr(0, 25), "{\n  \"agent\": {\n    \"versi");
  EXPECT_EQ(IndentJson(R"({"a":[],"b":{},"c":"x,{:}\"y"})"),
            "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": \"x,{:}\\\"y\"\n}\n");
}

}  // namespace
}  // namespace portwarden::exporters::json
