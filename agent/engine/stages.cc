#include "agent/engine/stages.h"

#include <utility>

namespace portwarden::engine {

ConfigLoader FileConfigLoader(std::string path) {
  return [path = std::move(path)]() -> Result<config::Config> {
    if (path.empty()) {
      return config::Defaults();
    }
    return config::LoadFile(path);
  };
}

}  // namespace portwarden::engine
