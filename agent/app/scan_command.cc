// `portwarden scan`: one inventory and policy pass, printed as a table or JSON.
#include <chrono>
#include <cstdio>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/core/log.h"
#include "agent/inventory/inventory.h"
#include "agent/policy/policy.h"
#include "exporters/json/state_json.h"
#include "exporters/report/report.h"

namespace portwarden::app {

int RunScan(const CommandLine& cl) {
  auto config = LoadConfig(cl);
  if (!config) {
    std::fprintf(stderr, "portwarden: error: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  inventory::Inventory inventory(*config);
  const inventory::InventoryReport report = inventory.Scan();
  if (!report.success) {
    std::fprintf(stderr, "portwarden: scan failed: %s\n", report.error.c_str());
    return kExitFailure;
  }
  policy::PolicyEngine policy;
  const policy::PolicyReport verdicts =
      policy.Evaluate(report, *config, std::chrono::system_clock::now());
  if (cl.output == "json") {
    exporters::json::PrintListeners(stdout, report, verdicts);
  } else {
    std::fputs(exporters::report::ListenerTable(report, verdicts).c_str(), stdout);
  }
  bool violations = false;
  for (const auto& verdict : verdicts.verdicts) {
    violations = violations || verdict.violation;
  }
  return cl.fail_on_violation && violations ? kExitViolations : kExitOk;
}

}  // namespace portwarden::app
