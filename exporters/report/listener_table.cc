#include <algorithm>
#include <string>
#include <vector>

#include "agent/core/host_port.h"
#include "agent/core/terminal_escape.h"
#include "exporters/report/report.h"

namespace portwarden::exporters::report {
namespace {

using Row = std::vector<std::string>;

// "127.0.0.1:22", "[::1]:22", "*:53" style endpoints, with "%dev" for a bound device.
std::string Endpoint(const inventory::Listener& listener) {
  std::string address =
      listener.family == AddressFamily::kIpv6 ? BracketHost(listener.address) : listener.address;
  if (!listener.interface.empty()) {
    address += "%" + listener.interface;
  }
  return address + ":" + std::to_string(listener.port);
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
  std::vector<Row> rows{{"PROTO", "RECV-Q", "SEND-Q", "ADDRESS:PORT", "SCOPE", "PROCESS", "PID",
                         "UNIT", "NAMESPACE"}};
  if (options.connections) {
    rows.front().push_back("CONNECTIONS");
  }
  if (verdicts) {
    rows.front().push_back("VERDICT");
  }
  for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
    rows.push_back(MakeRow(inventory.listeners[i]));
    if (options.connections) {
      rows.back().push_back(Connections(inventory.listeners[i]));
    }
    if (verdicts) {
      rows.back().push_back(TerminalSafe(Verdict(policy, i)));
    }
  }
  return Render(rows);
}

}  // namespace portwarden::exporters::report
