#pragma once

#include "agent/app/cli.h"

namespace portwarden::app {

/// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitViolations = 3;
inline constexpr int kExitProbeFailed = 4;
inline constexpr int kExitPartialView = 5;  ///< scan --fail-on-partial: some of the host unseen
inline constexpr int kExitUnapproved = 6;   ///< scan --baseline: a listener is not in it

/// The agent: serve /metrics until SIGTERM/SIGINT; SIGHUP reloads. Logging is set up.
int RunDaemon(const CommandLine& cl);

/// `--config.check`: print the verdict on stdout (errors on stderr).
int RunConfigCheck(const CommandLine& cl);

/// `portwarden scan`: one inventory and policy pass, printed.
int RunScan(const CommandLine& cl);

/// `portwarden baseline save FILE`: one scan, written atomically as a baseline file.
int RunBaselineSave(const CommandLine& cl);

/// `portwarden probe host:port`: one probe, printed.
int RunProbe(const CommandLine& cl);

/// `portwarden report`: the audit report of a running agent (--from) or of a collection
/// made now, as HTML, Markdown or CSV.
int RunReport(const CommandLine& cl);

}  // namespace portwarden::app
