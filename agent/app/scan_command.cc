// `portwarden scan`: one inventory and policy pass, printed as a table or JSON.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/app/scan_filter.h"
#include "agent/app/user_names.h"
#include "agent/config/baseline.h"
#include "agent/core/log.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/inventory_summary.h"
#include "agent/inventory/socket_holders.h"
#include "agent/policy/baseline.h"
#include "agent/policy/policy.h"
#include "exporters/json/state_json.h"
#include "exporters/report/report.h"

namespace portwarden::app {
namespace {

// A one-shot run exits soon after: keep freed memory in the heap for reuse instead of
// unmapping large blocks and trimming the top. Fresh pages are the dominant cost of a cold
// scan on VMs (~10 us each), and a vector that grows or a map that rehashes frees blocks a
// later allocation can take over.
void KeepFreedMemory() {
  constexpr int kBytes = 256 << 20;
  ::mallopt(M_MMAP_THRESHOLD, kBytes);
  ::mallopt(M_TRIM_THRESHOLD, kBytes);
}

// One line on stderr when the scan saw less than everything, so a table that looks complete
// is not mistaken for one.
void HintIfPartial(const inventory::InventoryStats& stats) {
  if (!inventory::ViewPartial(stats)) {
    return;
  }
  const char* advice = ::geteuid() == 0 ? "held by the kernel or invisible from this PID namespace"
                                        : "run as root or with the systemd unit's capabilities "
                                          "(CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) to see everything";
  std::fprintf(stderr, "portwarden: partial view: %s; %s\n",
               inventory::PartialReasons(stats).c_str(), advice);
}

// The owner's user (of the process when known, else of the socket) and, for a socket shared
// by several processes, every holder with its user: what `ss -p` and `lsof -i` show.
exporters::report::ListenerExtras ResolveOwners(const inventory::InventoryReport& report,
                                                const std::string& proc_path) {
  exporters::report::ListenerExtras extras;
  UserNames users;
  std::set<std::uint64_t> shared;
  std::map<int, long> uid_of_pid;  // one stat per owner process, not per listener
  for (const auto& listener : report.listeners) {
    long uid = -1;
    if (const int pid = listener.process.pid; pid != 0) {
      auto [it, added] = uid_of_pid.emplace(pid, -1);
      if (added) {
        it->second = inventory::ProcessUid(proc_path, pid);
      }
      uid = it->second;
    }
    extras.users.push_back(users.Name(uid >= 0 ? static_cast<uid_t>(uid) : listener.uid));
    if (listener.process.holder_count > 1) {
      shared.insert(listener.inodes.begin(), listener.inodes.end());
    }
  }
  if (shared.empty()) {
    return extras;
  }
  const auto holders = inventory::FindSocketHolders(proc_path, shared);
  for (const auto& listener : report.listeners) {
    std::set<int> seen;
    std::string text;
    for (const auto inode : listener.inodes) {
      const auto it = holders.find(inode);
      for (const auto& holder :
           it == holders.end() ? std::vector<inventory::SocketHolder>{} : it->second) {
        if (seen.insert(holder.pid).second) {
          text += (text.empty() ? "" : " ") + holder.comm + "(" + std::to_string(holder.pid) + " " +
                  users.Name(holder.uid) + ")";
        }
      }
    }
    extras.holders.push_back(text);
  }
  return extras;
}

int ExitStatus(const CommandLine& cl, bool violations, bool unapproved, bool partial) {
  if (cl.fail_on_violation && violations) {
    return kExitViolations;
  }
  if (unapproved) {
    return kExitUnapproved;
  }
  return cl.fail_on_partial && partial ? kExitPartialView : kExitOk;
}

// --baseline=FILE: marks the listeners it does not list; false (with a message) when the
// file cannot be read.
bool DiffBaseline(const CommandLine& cl,
                  const inventory::InventoryReport& report,
                  policy::PolicyReport& verdicts) {
  if (cl.baseline_file.empty()) {
    return true;
  }
  auto baseline = config::LoadBaselineFile(cl.baseline_file);
  if (!baseline) {
    std::fprintf(stderr, "portwarden: error: baseline: %s\n", baseline.error().message.c_str());
    return false;
  }
  verdicts.unapproved = policy::Unapproved(*baseline, report.listeners);
  verdicts.baseline.file = cl.baseline_file;
  verdicts.baseline.loaded = true;
  verdicts.baseline.entries = baseline->entries.size();
  return true;
}

}  // namespace

int RunScan(const CommandLine& cl) {
  KeepFreedMemory();
  auto config = LoadConfig(cl);
  if (!config) {
    std::fprintf(stderr, "portwarden: error: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  inventory::Inventory inventory(inventory::InventorySettingsFrom(*config));
  // --connections counts every TCP listener's connections; else the watched ports only.
  inventory.SetWatchedPorts(cl.connections ? std::vector<inventory::LocalPortRange>{{1, 65535}}
                                           : policy::WatchedPorts(*config));
  const inventory::InventoryReport report = inventory.Scan();
  if (!report.success) {
    std::fprintf(stderr, "portwarden: scan failed: %s\n", report.error.c_str());
    return kExitFailure;
  }
  policy::PolicyReport all_verdicts =
      policy::EvaluateOnce(report, policy::PolicySettingsFrom(*config));
  if (!DiffBaseline(cl, report, all_verdicts)) {
    return kExitUsage;
  }
  FilteredScan filtered;
  if (!cl.filter.empty()) {
    filtered = ApplyScanFilter(cl.filter, report, all_verdicts);
  }
  const auto& shown = cl.filter.empty() ? report : filtered.inventory;
  const auto& verdicts = cl.filter.empty() ? all_verdicts : filtered.policy;
  if (cl.output == "json") {
    exporters::json::PrintListeners(stdout, shown, verdicts);
  } else {
    exporters::report::TableOptions options;
    options.connections = cl.connections;
    options.extras = ResolveOwners(shown, config->inventory.proc_path);
    std::fputs(exporters::report::ListenerTable(shown, verdicts, options).c_str(), stdout);
    std::fputs(exporters::report::ScanSummary(shown, verdicts, report.listeners.size()).c_str(),
               stdout);
  }
  bool violations = false;
  for (const auto& verdict : verdicts.verdicts) {
    violations = violations || verdict.violation;
  }
  const bool unapproved = std::find(verdicts.unapproved.begin(), verdicts.unapproved.end(), true) !=
                          verdicts.unapproved.end();
  // The process ends here: skip freeing the scan's ten thousand small objects one by one.
  if (std::fflush(stdout) != 0) {
    std::_Exit(kExitFailure);
  }
  HintIfPartial(report.stats);
  std::_Exit(ExitStatus(cl, violations, unapproved, inventory::ViewPartial(report.stats)));
}

}  // namespace portwarden::app
