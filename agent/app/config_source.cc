#include "agent/app/config_source.h"

#include <cstdio>

#include "agent/app/commands.h"
#include "exporters/http/web_config_store.h"

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
  if (!cl.web_config_file.empty()) {
    auto web = exporters::http::LoadWebConfigFile(cl.web_config_file);
    if (!web) {
      std::fprintf(stderr, "FAILED: web config: %s\n", web.error().message.c_str());
      return kExitUsage;
    }
    std::printf("SUCCESS: web config %s is valid (TLS %s, %zu basic auth users)\n",
                cl.web_config_file.c_str(), web->ssl_ctx ? "on" : "off", web->config.users.size());
  }
  std::printf("SUCCESS: %s is valid (%zu endpoints, %zu exposure rules)\n",
              cl.config_file.empty() ? "built-in default configuration" : cl.config_file.c_str(),
              config->endpoints.size(), config->exposure.rules.size());
  return kExitOk;
}

}  // namespace portwarden::app
