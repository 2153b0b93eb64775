#include "agent/app/status_page_source.h"

#include <chrono>

#include "agent/core/clock.h"
#include "agent/policy/default_rules.h"
#include "agent/policy/policy_settings.h"
#include "exporters/report/status_page.h"

namespace portwarden::app {

std::string RenderStatusPage(const state::Snapshot& snapshot,
                             const config::Config& config,
                             const std::string& telemetry_path) {
  exporters::report::StatusPageInput input;
  input.snapshot = &snapshot;
  input.config = &config;
  policy::RuleSet rules = policy::BuildRuleSet(policy::PolicySettingsFrom(config));
  input.rules = std::move(rules.rules);
  input.default_action = rules.default_action;
  for (const auto& rule : policy::DefaultRules(policy::PolicySettingsFrom(config))) {
    input.builtin_rules.insert(rule.name);
  }
  // A user rule that reuses a built-in's name replaces it: it is the config's, not built in.
  for (const auto& rule : config.exposure.rules) {
    input.builtin_rules.erase(rule.name);
  }
  input.telemetry_path = telemetry_path;
  input.now = ToUnixSeconds(std::chrono::system_clock::now());
  return exporters::report::RenderStatusPage(input);
}

}  // namespace portwarden::app
