#include "agent/app/config_source.h"

#include <cstdio>

#include "agent/app/commands.h"

namespace portwarden::app {

Result<config::Config> LoadConfig(const CommandLine& cl) {
  if (cl.config_file.empty()) {
    return config::Defaults();
  }
  return config::LoadFile(cl.config_file);
}

int RunConfigCheck(const CommandLine& cl) {
  auto config = LoadConfig(cl);
  if (!config) {
    std::fprintf(stderr, "FAILED: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  std::printf("SUCCESS: %s is valid (%zu endpoints, %zu exposure rules)\n",
              cl.config_file.empty() ? "built-in default configuration" : cl.config_file.c_str(),
              config->endpoints.size(), config->exposure.rules.size());
  return kExitOk;
}

}  // namespace portwarden::app
