#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/policy/baseline_diff.h"
#include "agent/state/snapshot.h"

/// `portwarden report`: the audit artefact a compliance reviewer files. One snapshot (read
/// from a running agent, or collected for the report), rendered as a self-contained HTML
/// document, as Markdown, or as CSV for a spreadsheet. Every output says when it was made,
/// of which host, by which agent, and escapes every value for its format. Pure functions.
namespace portwarden::exporters::report {

using policy::BaselineChanges;
using policy::ChangeKind;
using policy::ListenerChange;

/// Where the snapshot came from and who made the report.
struct ReportContext {
  double generated_at = 0;    ///< Unix seconds
  std::string source;         ///< "collected now" or the URL read
  std::string agent_version;  ///< of the agent that collected the data
  std::string agent_revision;
  std::string report_version;  ///< of the binary that wrote the report
  BaselineChanges baseline;    ///< since the baseline in force (`configured` false: none)
  /// uid → user name, when the report is made on the host it describes (else uids only).
  std::map<std::uint32_t, std::string> user_names;
};

/// "root (0)" when the name is known, else "0".
std::string UserText(const ReportContext& context, std::uint32_t uid);

/// The identity facts a report opens with, (name, value) in order: host, machine ID, kernel,
/// operating system, agent, data source, the agent's start (only `with_start_time`),
/// configuration, when and by which binary the report was generated. Values are raw text
/// (an empty one is shown as "-"), to be escaped for the format.
std::vector<std::pair<const char*, std::string>> ReportFacts(const state::Snapshot& snapshot,
                                                             const ReportContext& context,
                                                             bool with_start_time);

/// A complete HTML document: embedded stylesheet, no script, no external resource.
std::string HtmlReport(const state::Snapshot& snapshot, const ReportContext& context);

/// GitHub-flavoured Markdown: headings, key facts, pipe tables (`|`, `\`, markup and HTML
/// escaped; controls made visible).
std::string MarkdownReport(const state::Snapshot& snapshot, const ReportContext& context);

/// RFC 4180 CSV (CRLF rows, quoted fields), one row per listener and one per certificate of
/// each endpoint's chain (a `record` column says which), and with a baseline one row per
/// baseline entry gone now (record "baseline"); a `change` column says added, changed or
/// removed (empty: unchanged or no baseline), `change_detail` what changed; with the host and date
/// in every row so rows keep their context when sorted or pasted elsewhere. Controls and
/// bidirectional characters are made visible (as in the terminal); a field a spreadsheet would run
/// as a formula (starting with = + - @, unless a number) is prefixed with an apostrophe.
std::string CsvReport(const state::Snapshot& snapshot, const ReportContext& context);

}  // namespace portwarden::exporters::report
