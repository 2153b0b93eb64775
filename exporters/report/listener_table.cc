#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "agent/core/host_port.h"
#include "agent/core/terminal_escape.h"
#include "exporters/report/audit_view.h"
#include "exporters/report/report.h"

namespace portwarden::exporters::report {
namespace {

using Row = std::vector<std::string>;

// "127.0.0.1:22", "[::1]:22", "*:53" style endpoints, with "%dev" for a bound device.
std::string Endpoint(const inventory::Listener& listener) {
  return ListenerEndpoint(listener);
}

std::string Verdict(const policy::PolicyReport& policy, std::size_t i) {
  if (i >= policy.verdicts.size()) {
    return "";
  }
  const auto& verdict = policy.verdicts[i];
  std::string text = (verdict.violation ? "VIOLATION " : "ok ") + verdict.rule;
  if (verdict.observed_violation) {
    text += " OBSERVED";
  }
  if (i < policy.unapproved.size() && policy.unapproved[i]) {
    text += " UNAPPROVED";
  }
  return text;
}

std::string Queue(const std::optional<std::uint32_t>& value) {
  return value ? std::to_string(*value) : "-";
}

// "lo=1 priv=0 pub=2" (link-local only when non-zero); "-" when not counted.
std::string Connections(const inventory::Listener& listener) {
  if (!listener.connections) {
    return "-";
  }
  const auto& c = *listener.connections;
  const auto at = [&](Scope scope) { return std::to_string(c[static_cast<std::size_t>(scope)]); };
  std::string text = "lo=" + at(Scope::kLoopback);
  if (c[static_cast<std::size_t>(Scope::kLinkLocal)] > 0) {
    text += " ll=" + at(Scope::kLinkLocal);
  }
  return text + " priv=" + at(Scope::kPrivate) + " pub=" + at(Scope::kPublic);
}

// Every cell goes through TerminalSafe: names come from processes, cgroups and namespaces
// other users control, and an escape sequence in them must show, not act.
Row MakeRow(const inventory::Listener& listener) {
  const auto& process = listener.process;
  std::string sockets =
      listener.socket_count > 1 ? " x" + std::to_string(listener.socket_count) : "";
  return {std::string(ProtocolName(listener.protocol)) + sockets,
          Queue(listener.accept_queue),
          Queue(listener.accept_queue_limit),
          TerminalSafe(Endpoint(listener)),
          std::string(ScopeName(listener.scope)),
          process.comm.empty() ? "-" : TerminalSafe(process.comm),
          process.pid == 0 ? "-" : std::to_string(process.pid),
          process.unit.empty() ? "-" : TerminalSafe(process.unit),
          TerminalSafe(listener.netns)};
}

// Columns are aligned by displayed width (code points), not bytes: U+FFFD is three bytes.
std::string Render(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], TerminalWidth(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) {
        line.append(widths[c] - TerminalWidth(row[c]) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string ListenerTable(const inventory::InventoryReport& inventory,
                          const policy::PolicyReport& policy,
                          const TableOptions& options) {
  const bool verdicts = !policy.verdicts.empty();
  const std::size_t n = inventory.listeners.size();
  const auto& extras = options.extras;
  const bool users = extras.users.size() == n && n > 0;
  const bool holders = extras.holders.size() == n && n > 0;
  constexpr std::size_t kUserColumn = 7;  // after PID, before UNIT
  std::vector<Row> rows{{"PROTO", "RECV-Q", "SEND-Q", "ADDRESS:PORT", "SCOPE", "PROCESS", "PID",
                         "UNIT", "NAMESPACE"}};
  if (users) {
    rows.front().insert(rows.front().begin() + kUserColumn, "USER");
  }
  if (options.connections) {
    rows.front().push_back("CONNECTIONS");
  }
  if (verdicts) {
    rows.front().push_back("VERDICT");
  }
  if (holders) {
    rows.front().push_back("HOLDERS");
  }
  for (std::size_t i = 0; i < n; ++i) {
    rows.push_back(MakeRow(inventory.listeners[i]));
    if (users) {
      rows.back().insert(rows.back().begin() + kUserColumn,
                         extras.users[i].empty() ? "-" : TerminalSafe(extras.users[i]));
    }
    if (options.connections) {
      rows.back().push_back(Connections(inventory.listeners[i]));
    }
    if (verdicts) {
      rows.back().push_back(TerminalSafe(Verdict(policy, i)));
    }
    if (holders) {
      rows.back().push_back(extras.holders[i].empty() ? "-" : TerminalSafe(extras.holders[i]));
    }
  }
  return Render(rows);
}

std::string ScanSummary(const inventory::InventoryReport& shown,
                        const policy::PolicyReport& policy,
                        std::size_t total) {
  std::array<std::size_t, 4> by_scope{};
  std::size_t tcp = 0;
  for (const auto& listener : shown.listeners) {
    ++by_scope[static_cast<std::size_t>(listener.scope)];
    tcp += listener.protocol == Protocol::kTcp ? 1 : 0;
  }
  std::size_t violations = 0;
  for (const auto& verdict : policy.verdicts) {
    violations += verdict.violation ? 1 : 0;
  }
  const std::size_t n = shown.listeners.size();
  std::string out = n == total ? std::to_string(n) + (n == 1 ? " listener" : " listeners")
                               : std::to_string(n) + " of " + std::to_string(total) + " listeners";
  out += " (tcp " + std::to_string(tcp) + ", udp " + std::to_string(n - tcp) + "):";
  for (const Scope scope : {Scope::kPublic, Scope::kPrivate, Scope::kLinkLocal, Scope::kLoopback}) {
    out += std::string(scope == Scope::kPublic ? " " : ", ") + std::string(ScopeName(scope)) + " " +
           std::to_string(by_scope[static_cast<std::size_t>(scope)]);
  }
  out += "; " + std::to_string(violations) + (violations == 1 ? " violation" : " violations");
  return out + "\n";
}

}  // namespace portwarden::exporters::report
