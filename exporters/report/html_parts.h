#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/policy/baseline_diff.h"
#include "exporters/report/audit_view.h"

/// Building blocks of the HTML outputs (status page and HTML report): one stylesheet, one
/// escaping rule, one table shape.
namespace portwarden::exporters::report::html {

using policy::BaselineChanges;

/// Appends `text` as HTML text that shows exactly what it holds and nothing else: `& < > " '`
/// as references, and — because a page is read by a person — controls, bidirectional
/// formatting characters (U+202E, ...) and ill-formed UTF-8 made visible as in the terminal
/// (`\x1b`, `\u{202e}`, U+FFFD), so a name cannot reorder or hide the text around it.
void AppendText(std::string& out, std::string_view text);

/// One table cell: its text and an optional class ("bad", "ok", "warn", "num").
struct Cell {
  std::string text;
  const char* cls = nullptr;
};

/// A table inside its own horizontally scrolling container. `id` names the table for
/// readers and tests; `headers` and classes are constants of the code; every cell's text is
/// escaped with AppendText. An empty `rows` shows `empty_text` instead.
void AppendTable(std::string& out,
                 const char* id,
                 const std::vector<const char*>& headers,
                 const std::vector<std::vector<Cell>>& rows,
                 std::string_view empty_text);

/// `<h2 id=...>text</h2>`.
void AppendHeading(std::string& out, const char* id, std::string_view text);

/// The summary as a row of cards (listeners by reach, violations, expiry buckets, failures).
void AppendSummaryCards(std::string& out, const Summary& summary);

/// The embedded stylesheet: readable at 1280 px and at 390 px (tables scroll in their own
/// container, long names wrap), no external resource.
std::string_view Stylesheet();

/// Table rows for the violations, listeners and endpoints, as both HTML outputs show them.
std::vector<std::vector<Cell>> ViolationRows(const AuditView& view);
/// The listener rows carry the firewall verdicts (when the stage ran) and, when a baseline
/// is in force, a Baseline column ("approved" / "UNAPPROVED"); ListenerHeaders(view) matches.
std::vector<std::vector<Cell>> ListenerRows(const AuditView& view, std::size_t limit);
std::vector<std::vector<Cell>> EndpointRows(const AuditView& view);

/// The changes since the baseline, one row each (Change, Namespace, Proto, Address, Port,
/// Process, Unit, Reach, Verdict, Detail), as the HTML and Markdown reports show them.
std::vector<std::vector<Cell>> ChangeRows(const BaselineChanges& changes);
const std::vector<const char*>& ChangeHeaders();

/// Column headers matching the row builders above.
const std::vector<const char*>& ViolationHeaders();
std::vector<const char*> ListenerHeaders(const AuditView& view);
const std::vector<const char*>& EndpointHeaders();

/// Days left with one decimal ("12.3"), "-" when unknown.
std::string DaysText(const std::optional<double>& days);

}  // namespace portwarden::exporters::report::html
