#include "agent/policy/policy_settings.h"

namespace portwarden::policy {

PolicySettings PolicySettingsFrom(const config::Config& config) {
  return {.exposure = config.exposure,
          .agent_listen_addresses = config.web.listen_addresses,
          .baseline = config.inventory.baseline};
}

}  // namespace portwarden::policy
