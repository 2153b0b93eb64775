// `portwarden report`: the audit report, from a running agent's /api/state or collected now.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/app/scan_filter.h"
#include "agent/app/state_fetch.h"
#include "agent/app/user_names.h"
#include "agent/config/baseline.h"
#include "agent/core/clock.h"
#include "agent/core/host_identity.h"
#include "agent/core/version_info.h"
#include "agent/discovery/discovery.h"
#include "agent/firewall/firewall.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/inventory_settings.h"
#include "agent/policy/baseline.h"
#include "agent/policy/baseline_diff.h"
#include "agent/policy/policy_settings.h"
#include "agent/probe/openssl_prober.h"
#include "agent/probe/probe_settings.h"
#include "exporters/json/state_reader.h"
#include "exporters/report/audit_report.h"

namespace portwarden::app {
namespace {

double Now() {
  return ToUnixSeconds(std::chrono::system_clock::now());
}

// The snapshot the daemon would publish after one scan and one probe cycle.
Result<state::Snapshot> CollectNow(const config::Config& config) {
  state::Snapshot snapshot;
  const double started = Now();
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config));
  auto report = std::make_shared<inventory::InventoryReport>(inventory.Scan());
  if (!report->success) {
    return Fail("scan failed: " + report->error);
  }
  snapshot.collectors.push_back({"inventory", true, Now() - started, Now(), ""});
  // Judged as the daemon judges, firewall verdicts included: a baseline saved with them
  // (baseline save) then shows no false "changed" rows.
  firewall::FirewallStage firewall_stage;
  auto firewall = std::make_shared<firewall::FirewallReport>(firewall_stage.Assess(*report));
  snapshot.policy = std::make_shared<policy::PolicyReport>(
      policy::EvaluateOnce(*report, policy::PolicySettingsFrom(config), firewall.get()));
  snapshot.firewall = std::move(firewall);
  auto targets = probe::ConfiguredTargets(config.endpoints);
  if (config.discovery.enabled) {
    auto discovered = discovery::DiscoverTargets(report->listeners, report->namespaces,
                                                 config.discovery, discovery::HostName());
    targets.insert(targets.end(), discovered.targets.begin(), discovered.targets.end());
  }
  const double probes_started = Now();
  probe::OpenSslProber prober;
  auto settings = probe::ProbeSettingsFrom(config);
  settings.spread = Duration(0);  // one cycle, now: agent.probe_spread is the daemon's pacing
  snapshot.probes = std::make_shared<probe::ProbeReport>(prober.RunCycle(targets, settings));
  snapshot.collectors.push_back({"tls", true, Now() - probes_started, Now(), ""});
  snapshot.inventory = std::move(report);
  snapshot.host = ReadHostIdentity();
  snapshot.reload.source = config.source;
  snapshot.start_timestamp = started;
  return snapshot;
}

struct Input {
  state::Snapshot snapshot;
  exporters::report::ReportContext context;
  std::string baseline_file;  ///< --baseline, else the agent's or the config's; "" = none
  bool baseline_from_agent = false;
};

Result<Input> LoadInput(const CommandLine& cl) {
  Input input;
  input.context.report_version = build::kVersion;
  if (!cl.from_url.empty()) {
    auto body = FetchState(cl.from_url, cl.ca_file);
    if (!body) {
      return std::unexpected(body.error());
    }
    auto document = exporters::json::ReadStateJson(*body);
    if (!document) {
      return std::unexpected(document.error());
    }
    input.snapshot = std::move(document->snapshot);
    input.context.source = "read from " + StateUrl(cl.from_url);
    input.context.agent_version = document->agent_version;
    input.context.agent_revision = document->agent_revision;
    input.baseline_file = input.snapshot.policy->baseline.file;
    input.baseline_from_agent = true;
  } else {
    auto config = LoadConfig(cl);
    if (!config) {
      return std::unexpected(config.error());
    }
    auto snapshot = CollectNow(*config);
    if (!snapshot) {
      return std::unexpected(snapshot.error());
    }
    input.snapshot = std::move(*snapshot);
    input.baseline_file = config->inventory.baseline;
    input.context.source = "collected for this report (one scan, one probe cycle)";
    input.context.agent_version = build::kVersion;
    input.context.agent_revision = build::kRevision;
    UserNames users;
    for (const auto& listener : input.snapshot.inventory->listeners) {
      input.context.user_names.emplace(listener.uid, users.Name(listener.uid));
    }
  }
  if (!cl.baseline_file.empty()) {
    input.baseline_file = cl.baseline_file;
    input.baseline_from_agent = false;
  }
  input.context.generated_at = Now();
  return input;
}

// Whether `baseline`, read here, is the one the agent read (--from): the same number of
// entries and the same listeners unapproved as it flags.
bool SameAsTheAgents(const config::Baseline& baseline, const state::Snapshot& snapshot) {
  const auto& agent = *snapshot.policy;
  return agent.baseline.loaded && agent.baseline.entries == baseline.entries.size() &&
         agent.unapproved == policy::Unapproved(baseline, snapshot.inventory->listeners);
}

// The changes since the baseline, over the (filtered) listeners of the snapshot. A file named
// by --baseline must be readable; one named by the agent or the config that cannot be read
// here leaves what the agent flagged unapproved, and says so.
Result<exporters::report::BaselineChanges> Changes(const CommandLine& cl, const Input& input) {
  namespace report = exporters::report;
  const state::Snapshot& snapshot = input.snapshot;
  if (input.baseline_file.empty()) {
    return report::BaselineChanges{};
  }
  auto baseline = config::LoadBaselineFile(input.baseline_file);
  if (!baseline && !cl.baseline_file.empty()) {
    return Fail("baseline: " + baseline.error().message);
  }
  if (!baseline) {
    std::string problem = "The baseline could not be read here (" + baseline.error().message +
                          "): removed and changed listeners are not known";
    problem += input.baseline_from_agent && !snapshot.policy->unapproved.empty()
                   ? "; the added ones are those the agent flags unapproved."
                   : ".";
    std::string name = input.baseline_file;
    if (input.baseline_from_agent && snapshot.policy->baseline.loaded) {
      name += ", " + std::to_string(snapshot.policy->baseline.entries) +
              " entries as the agent read it";
    }
    return policy::ChangesFromUnapprovedFlags(snapshot.inventory->listeners, *snapshot.policy,
                                              std::move(name), std::move(problem));
  }
  if (input.baseline_from_agent && !SameAsTheAgents(*baseline, snapshot)) {
    return policy::ChangesFromUnapprovedFlags(
        snapshot.inventory->listeners, *snapshot.policy, input.baseline_file,
        "The file at this path here is not the baseline the agent uses (another host's, or "
        "edited since the agent read it): the added listeners are those the agent flags "
        "unapproved; removed and changed ones are not known.");
  }
  auto changes = policy::CompareWithBaseline(*baseline, snapshot.inventory->listeners,
                                             *snapshot.policy, snapshot.firewall->listeners);
  if (!cl.filter.empty()) {  // a removed entry is listed when the filter would select it
    std::erase_if(changes.changes, [&](const report::ListenerChange& change) {
      if (change.kind != report::ChangeKind::kRemoved) {
        return false;
      }
      inventory::Listener listener;
      listener.netns = change.netns;
      listener.protocol = change.protocol;
      listener.address = change.address;
      listener.port = change.port;
      listener.process.comm = change.process;
      return !FilterMatches(cl.filter, listener, nullptr);
    });
  }
  return changes;
}

// Writes `text` to `path` whole or not at all (a temporary file renamed over it).
Status WriteFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) {
      std::remove(temporary.c_str());
      return Fail("cannot write " + path);
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return Fail("cannot write " + path);
  }
  return {};
}

}  // namespace

int RunReport(const CommandLine& cl) {
  auto input = LoadInput(cl);
  if (!input) {
    std::fprintf(stderr, "portwarden: report: %s\n", input.error().message.c_str());
    return kExitFailure;
  }
  state::Snapshot& snapshot = input->snapshot;
  if (!cl.filter.empty()) {
    auto filtered = ApplyScanFilter(cl.filter, *snapshot.inventory, *snapshot.policy);
    snapshot.inventory =
        std::make_shared<inventory::InventoryReport>(std::move(filtered.inventory));
    snapshot.policy = std::make_shared<policy::PolicyReport>(std::move(filtered.policy));
  }
  auto changes = Changes(cl, *input);
  if (!changes) {
    std::fprintf(stderr, "portwarden: report: %s\n", changes.error().message.c_str());
    return kExitFailure;
  }
  input->context.baseline = std::move(*changes);
  const std::string text =
      cl.report_format == "markdown" ? exporters::report::MarkdownReport(snapshot, input->context)
      : cl.report_format == "csv"    ? exporters::report::CsvReport(snapshot, input->context)
                                     : exporters::report::HtmlReport(snapshot, input->context);
  if (cl.output_file.empty() || cl.output_file == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
  }
  if (auto written = WriteFile(cl.output_file, text); !written) {
    std::fprintf(stderr, "portwarden: report: %s\n", written.error().message.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace portwarden::app
