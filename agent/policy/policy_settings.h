#pragma once

#include <string>
#include <vector>

#include "agent/config/config.h"

namespace portwarden::policy {

/// What the exposure policy reads from the configuration: the `[exposure]` section and the
/// agent's own listen addresses (the portwarden-internal rule). Plain data, built from a
/// Config by PolicySettingsFrom() only, so the policy never sees the whole Config.
struct PolicySettings {
  config::ExposureConfig exposure;
  std::vector<std::string> agent_listen_addresses;  ///< web.listen_addresses
  std::string baseline;  ///< inventory.baseline: the approved-listener file ("" = none)
};

/// The policy stage's settings from `config`.
PolicySettings PolicySettingsFrom(const config::Config& config);

}  // namespace portwarden::policy
