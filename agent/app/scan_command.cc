// `portwarden scan`: one inventory and policy pass, printed as a table or JSON.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/config/baseline.h"
#include "agent/core/log.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/inventory_summary.h"
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
  policy::PolicyReport verdicts = policy::EvaluateOnce(report, policy::PolicySettingsFrom(*config));
  if (!DiffBaseline(cl, report, verdicts)) {
    return kExitUsage;
  }
  if (cl.output == "json") {
    exporters::json::PrintListeners(stdout, report, verdicts);
  } else {
    std::fputs(
        exporters::report::ListenerTable(report, verdicts, {.connections = cl.connections}).c_str(),
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
