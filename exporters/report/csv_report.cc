#include <array>
#include <cstdlib>

#include "agent/core/terminal_escape.h"
#include "exporters/report/audit_report.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/html_parts.h"

namespace portwarden::exporters::report {
namespace {

constexpr std::array kColumns = {"record",      "host",          "generated",
                                 "netns",       "proto",         "address",
                                 "port",        "reach",         "process",
                                 "pid",         "user",          "executable",
                                 "unit",        "rule",          "verdict",
                                 "change",      "change_detail", "target",
                                 "server_name", "probe_verdict", "tls_version",
                                 "chain_pos",   "subject",       "issuer",
                                 "not_after",   "days_left",     "fingerprint_sha256",
                                 "error"};

using Row = std::array<std::string, kColumns.size()>;

enum Col : std::size_t {
  kRecord,
  kHost,
  kGenerated,
  kNetns,
  kProto,
  kAddress,
  kPort,
  kReach,
  kProcess,
  kPid,
  kUser,
  kExe,
  kUnit,
  kRule,
  kVerdict,
  kChange,
  kChangeDetail,
  kTarget,
  kServerName,
  kProbeVerdict,
  kTlsVersion,
  kChainPos,
  kSubject,
  kIssuer,
  kNotAfter,
  kDaysLeft,
  kFingerprint,
  kError
};

// "-2.5", "+3": a number, which a spreadsheet may read as one.
bool IsNumber(const std::string& value) {
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  return !value.empty() && end == value.c_str() + value.size();
}

// One RFC 4180 field: always quoted, quotes doubled; controls and bidirectional characters
// made visible as in the terminal (a cell cannot reorder or hide its neighbours); a leading
// character that makes a spreadsheet evaluate the cell is neutralised with an apostrophe
// (OWASP CSV injection), numbers excepted.
void AppendField(std::string& out, const std::string& raw) {
  const std::string value = TerminalSafe(raw);
  out += '"';
  const char first = value.empty() ? '\0' : value[0];
  if ((first == '=' || first == '+' || first == '-' || first == '@') && !IsNumber(value)) {
    out += '\'';
  }
  for (const char c : value) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
}

void AppendRow(std::string& out, const Row& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    AppendField(out, row[i]);
  }
  out += "\r\n";
}

// The baseline's entries that no listener matches now: one "baseline" row each, with what the
// baseline recorded.
void AppendRemoved(std::string& out, const Row& base, const BaselineChanges& baseline) {
  for (const ListenerChange& change : baseline.changes) {
    if (change.kind != ChangeKind::kRemoved) {
      continue;
    }
    Row r = base;
    r[kRecord] = "baseline";
    r[kNetns] = change.netns;
    r[kProto] = ProtocolName(change.protocol);
    r[kAddress] = change.address;
    r[kPort] = std::to_string(change.port);
    r[kReach] = change.reach;
    r[kProcess] = change.process;
    r[kUnit] = change.unit;
    r[kVerdict] = change.verdict;
    r[kChange] = ChangeKindName(change.kind);
    r[kChangeDetail] = change.detail;
    AppendRow(out, r);
  }
}

}  // namespace

std::string CsvReport(const state::Snapshot& snapshot, const ReportContext& context) {
  const AuditView view = BuildAuditView(snapshot, context.generated_at);
  std::string out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    out += i > 0 ? "," : "";
    out += kColumns[i];
  }
  out += "\r\n";
  Row base{};
  base[kHost] = snapshot.host.hostname;
  base[kGenerated] = UtcTime(context.generated_at);
  std::vector<const ListenerChange*> change_of(view.listeners.size(), nullptr);
  for (const ListenerChange& change : context.baseline.changes) {
    if (change.listener && *change.listener < change_of.size()) {
      change_of[*change.listener] = &change;
    }
  }
  for (std::size_t i = 0; i < view.listeners.size(); ++i) {
    const ListenerRow& row = view.listeners[i];
    const auto& l = *row.listener;
    Row r = base;
    if (change_of[i] != nullptr) {
      r[kChange] = ChangeKindName(change_of[i]->kind);
      r[kChangeDetail] = change_of[i]->detail;
    }
    r[kRecord] = "listener";
    r[kNetns] = l.netns;
    r[kProto] = ProtocolName(l.protocol);
    r[kAddress] = row.endpoint.substr(0, row.endpoint.rfind(':'));
    r[kPort] = std::to_string(l.port);
    r[kReach] = ScopeName(l.scope);
    r[kProcess] = l.process.comm;
    r[kPid] = l.process.pid == 0 ? "" : std::to_string(l.process.pid);
    r[kUser] = UserText(context, l.uid);
    r[kExe] = l.process.exe;
    r[kUnit] = l.process.unit;
    r[kRule] = row.rule;
    r[kVerdict] = row.has_verdict ? (row.violation ? "violation" : "ok") : "";
    AppendRow(out, r);
  }
  AppendRemoved(out, base, context.baseline);
  for (const EndpointRow& endpoint : view.endpoints) {
    const auto& result = *endpoint.result;
    Row r = base;
    r[kRecord] = "endpoint";
    r[kTarget] = result.target;
    r[kAddress] = result.address;
    r[kServerName] = result.server_name;
    r[kProbeVerdict] = endpoint.verdict;
    r[kTlsVersion] = result.tls_version;
    r[kDaysLeft] = endpoint.days_left ? html::DaysText(endpoint.days_left) : "";
    r[kError] = endpoint.error;
    AppendRow(out, r);
    for (const auto& cert : result.chain) {
      Row c = r;
      c[kRecord] = "certificate";
      c[kChainPos] = std::to_string(cert.chain_pos);
      c[kSubject] = cert.subject_cn;
      c[kIssuer] = cert.issuer_cn;
      c[kNotAfter] = UtcTime(cert.not_after);
      c[kDaysLeft] = html::DaysText((cert.not_after - context.generated_at) / 86400.0);
      c[kFingerprint] = cert.fingerprint_sha256;
      AppendRow(out, c);
    }
  }
  return out;
}

}  // namespace portwarden::exporters::report
