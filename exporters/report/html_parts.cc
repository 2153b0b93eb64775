#include "exporters/report/html_parts.h"

#include <cstdio>

#include "agent/core/html_escape.h"
#include "agent/core/terminal_escape.h"

namespace portwarden::exporters::report::html {
namespace {

constexpr std::string_view kStylesheet = R"(*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1rem;max-width:96rem;color:#1d1d1f;background:#fff}
h1{font-size:1.35rem;margin:.2rem 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .5rem}
p,li,dd{overflow-wrap:anywhere}.meta{color:#555;margin:.2rem 0}nav{display:flex;flex-wrap:wrap;gap:.2rem 1rem}nav a{white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:.5rem;margin:.8rem 0}
.card{border:1px solid #d0d0d5;border-radius:6px;padding:.45rem .7rem;flex:1 1 10rem;min-width:0}
.card h3{font-size:.8rem;font-weight:600;color:#555;margin:0 0 .2rem;text-transform:uppercase;letter-spacing:.03em}
.card dl{margin:0;display:grid;grid-template-columns:auto auto;gap:0 .8rem}.card dt,.card dd{margin:0}.card dd{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto;max-width:100%;border:1px solid #e0e0e5;border-radius:4px}
table{border-collapse:collapse;width:100%;min-width:42rem}
th,td{text-align:left;padding:.28rem .5rem;border-bottom:1px solid #eee;vertical-align:top;overflow-wrap:anywhere}
th{background:#f5f5f7;font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.kw{white-space:nowrap}
.bad{color:#b00020;font-weight:600}.warn{color:#8a5300;font-weight:600}.ok{color:#17702d}
.empty{color:#555;font-style:italic}code{overflow-wrap:anywhere}
@media (max-width:640px){body{padding:.5rem;font-size:13px}table{min-width:36rem}}
)";

void AppendCard(std::string& out,
                const char* title,
                const std::vector<std::pair<std::string, int>>& items,
                const char* bad_when_nonzero = nullptr) {
  out += "<section class=\"card\"><h3>";
  out += title;
  out += "</h3><dl>";
  for (const auto& [name, count] : items) {
    const bool bad = bad_when_nonzero != nullptr && count > 0 && name == bad_when_nonzero;
    out += "<dt>";
    AppendText(out, name);
    out += bad ? "</dt><dd class=\"bad\">" : "</dt><dd>";
    out += std::to_string(count) + "</dd>";
  }
  out += "</dl></section>\n";
}

const char* VerdictClass(const ListenerRow& row) {
  if (!row.has_verdict) {
    return "kw";
  }
  return row.violation ? "kw bad" : "kw ok";
}

// "public drop, private accept" (+ "published" for a DNAT-published port); "-" without the
// firewall stage. An accepting public path is what makes a public bind reachable: marked.
Cell FirewallCell(const ListenerRow& row) {
  if (row.firewall_public.empty()) {
    return {"-", "kw"};
  }
  std::string text = "public " + row.firewall_public + ", private " + row.firewall_private;
  if (row.published) {
    text += ", published";
  }
  const bool open = row.firewall_public == "accept" && row.listener->scope == Scope::kPublic;
  return {std::move(text), open ? "kw warn" : "kw"};
}

}  // namespace

void AppendText(std::string& out, std::string_view text) {
  AppendHtmlEscaped(out, TerminalSafe(text));
}

void AppendTable(std::string& out,
                 const char* id,
                 const std::vector<const char*>& headers,
                 const std::vector<std::vector<Cell>>& rows,
                 std::string_view empty_text) {
  if (rows.empty()) {
    out += "<p class=\"empty\" id=\"";
    out += id;
    out += "\">";
    AppendText(out, empty_text);
    out += "</p>\n";
    return;
  }
  out += "<div class=\"scroll\"><table id=\"";
  out += id;
  out += "\"><thead><tr>";
  for (const char* header : headers) {
    out += "<th scope=\"col\">";
    out += header;
    out += "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const Cell& cell : row) {
      if (cell.cls != nullptr) {
        out += "<td class=\"";
        out += cell.cls;
        out += "\">";
      } else {
        out += "<td>";
      }
      AppendText(out, cell.text);
      out += "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
}

void AppendHeading(std::string& out, const char* id, std::string_view text) {
  out += "<h2 id=\"";
  out += id;
  out += "\">";
  AppendText(out, text);
  out += "</h2>\n";
}

void AppendSummaryCards(std::string& out, const Summary& summary) {
  out += "<div class=\"cards\" id=\"summary\">\n";
  std::vector<std::pair<std::string, int>> reach;
  for (const Scope scope : {Scope::kPublic, Scope::kPrivate, Scope::kLinkLocal, Scope::kLoopback}) {
    reach.emplace_back(ScopeName(scope), summary.by_scope[static_cast<std::size_t>(scope)]);
  }
  reach.emplace_back("total", summary.listeners);
  AppendCard(out, "Listeners by reach", reach);
  AppendCard(out, "Exposure", {{"violations", summary.violations}}, "violations");
  std::vector<std::pair<std::string, int>> expiry;
  for (const ExpiryBucket bucket : kAllExpiryBuckets) {
    expiry.emplace_back(ExpiryBucketName(bucket),
                        summary.by_expiry[static_cast<std::size_t>(bucket)]);
  }
  AppendCard(out, "Certificates (soonest in chain)", expiry, "expired");
  AppendCard(out, "Probes",
             {{"endpoints", summary.endpoints}, {"failures", summary.probe_failures}}, "failures");
  out += "</div>\n";
}

std::string_view Stylesheet() {
  return kStylesheet;
}

std::string DaysText(const std::optional<double>& days) {
  if (!days) {
    return "-";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", *days);
  return buffer;
}

const std::vector<const char*>& ViolationHeaders() {
  static const std::vector<const char*> kHeaders = {"Namespace", "Proto", "Address", "Reach",
                                                    "Process",   "Unit",  "Rule",    "Allowed"};
  return kHeaders;
}

std::vector<const char*> ListenerHeaders(const AuditView& view) {
  std::vector<const char*> headers = {"Namespace", "Proto", "Address", "Port",  "Reach",
                                      "Process",   "Unit",  "Verdict", "Basis", "Firewall"};
  if (view.baseline) {
    headers.push_back("Baseline");
  }
  return headers;
}

const std::vector<const char*>& EndpointHeaders() {
  static const std::vector<const char*> kHeaders = {"Target",     "Address",   "Certificate",
                                                    "Verdict",    "Days left", "TLS",
                                                    "Last error", "Last probe"};
  return kHeaders;
}

std::vector<std::vector<Cell>> ViolationRows(const AuditView& view) {
  std::vector<std::vector<Cell>> rows;
  for (const ListenerRow& row : view.listeners) {
    if (!row.violation) {
      continue;
    }
    const auto& l = *row.listener;
    rows.push_back({{l.netns},
                    {std::string(ProtocolName(l.protocol)), "kw"},
                    {row.endpoint},
                    {std::string(ScopeName(l.scope)), "kw bad"},
                    {ProcessText(l.process)},
                    {l.process.unit.empty() ? "-" : l.process.unit},
                    {row.rule},
                    {row.allowed}});
  }
  return rows;
}

std::vector<std::vector<Cell>> ListenerRows(const AuditView& view, std::size_t limit) {
  std::vector<std::vector<Cell>> rows;
  for (const ListenerRow& row : view.listeners) {
    if (rows.size() == limit) {
      break;
    }
    const auto& l = *row.listener;
    rows.push_back({{l.netns},
                    {std::string(ProtocolName(l.protocol)), "kw"},
                    {row.endpoint.substr(0, row.endpoint.rfind(':'))},
                    {std::to_string(l.port), "num"},
                    {std::string(ScopeName(l.scope)), "kw"},
                    {ProcessText(l.process)},
                    {l.process.unit.empty() ? "-" : l.process.unit},
                    {row.has_verdict ? row.verdict : "-", VerdictClass(row)},
                    {row.basis.empty() ? "-" : row.basis, "kw"},
                    FirewallCell(row)});
    if (view.baseline) {
      rows.back().push_back(row.unapproved ? Cell{"UNAPPROVED", "kw bad"} : Cell{"approved", "kw"});
    }
  }
  return rows;
}

const std::vector<const char*>& ChangeHeaders() {
  static const std::vector<const char*> kHeaders = {"Change",  "Namespace", "Proto", "Address",
                                                    "Port",    "Process",   "Unit",  "Reach",
                                                    "Verdict", "Detail"};
  return kHeaders;
}

std::vector<std::vector<Cell>> ChangeRows(const BaselineChanges& changes) {
  std::vector<std::vector<Cell>> rows;
  auto text = [](const std::string& value) { return value.empty() ? std::string("-") : value; };
  for (const policy::ListenerChange& c : changes.changes) {
    const char* cls = c.kind == policy::ChangeKind::kRemoved ? "kw" : "kw bad";
    rows.push_back({{policy::ChangeKindName(c.kind), cls},
                    {text(c.netns)},
                    {std::string(ProtocolName(c.protocol)), "kw"},
                    {text(c.address)},
                    {std::to_string(c.port), "num"},
                    {text(c.process)},
                    {text(c.unit)},
                    {text(c.reach), "kw"},
                    {text(c.verdict), c.verdict == "violation" ? "kw bad" : "kw"},
                    {text(c.detail)}});
  }
  return rows;
}

std::vector<std::vector<Cell>> EndpointRows(const AuditView& view) {
  std::vector<std::vector<Cell>> rows;
  for (const EndpointRow& row : view.endpoints) {
    const auto& r = *row.result;
    const char* days_class = "num";
    if (row.bucket == ExpiryBucket::kExpired || row.bucket == ExpiryBucket::kUnder7) {
      days_class = "num bad";
    } else if (row.bucket == ExpiryBucket::kUnder30) {
      days_class = "num warn";
    }
    rows.push_back({{r.target},
                    {r.address.empty() ? "unresolved" : r.address},
                    {r.chain.empty() ? "-" : r.chain.front().subject_cn},
                    {row.verdict, row.healthy ? "kw ok" : "kw bad"},
                    {DaysText(row.days_left), days_class},
                    {r.tls_version.empty() ? "-" : r.tls_version, "kw"},
                    {row.error.empty() ? "-" : row.error},
                    {UtcTime(r.timestamp), "kw"}});
  }
  return rows;
}

}  // namespace portwarden::exporters::report::html
