#pragma once

#include "agent/app/cli.h"
#include "agent/config/config.h"

namespace portwarden::app {

/// The config named by --config.file, or the built-in defaults when none is given.
Result<config::Config> LoadConfig(const CommandLine& cl);

}  // namespace portwarden::app
