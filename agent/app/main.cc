// portwarden: entry point. Parses the command line and hands over to a command.
#include <cstdio>
#include <string>
#include <vector>

#include "agent/app/cli.h"
#include "agent/app/commands.h"
#include "agent/core/log.h"
#include "agent/core/version.h"

int main(int argc, char** argv) {
  using portwarden::app::Command;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto cl = portwarden::app::ParseCommandLine(args);
  if (!cl) {
    std::fprintf(stderr, "portwarden: error: %s\n", cl.error().message.c_str());
    return portwarden::app::kExitUsage;
  }
  if (cl->command == Command::kHelp) {
    std::fputs(portwarden::app::UsageText().c_str(), stdout);
    return portwarden::app::kExitOk;
  }
  if (cl->command == Command::kVersion) {
    std::fputs(portwarden::build::VersionText().c_str(), stdout);
    return portwarden::app::kExitOk;
  }
  auto level = portwarden::log::ParseLevel(cl->log_level);
  auto format = portwarden::log::ParseFormat(cl->log_format);
  if (!level || !format) {
    std::fprintf(stderr, "portwarden: error: flag --log.%s: %s\n", level ? "format" : "level",
                 (level ? format.error() : level.error()).message.c_str());
    return portwarden::app::kExitUsage;
  }
  portwarden::log::Setup(*level, *format);
  if (cl->config_check) {
    return portwarden::app::RunConfigCheck(*cl);
  }
  switch (cl->command) {
    case Command::kScan:
      return portwarden::app::RunScan(*cl);
    case Command::kProbe:
      return portwarden::app::RunProbe(*cl);
    case Command::kBaselineSave:
      return portwarden::app::RunBaselineSave(*cl);
    case Command::kReport:
      return portwarden::app::RunReport(*cl);
    default:
      return portwarden::app::RunDaemon(*cl);
  }
}
