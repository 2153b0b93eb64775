#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/core/error.h"
#include "agent/core/net_types.h"

namespace portwarden::app {

enum class Command { kDaemon, kScan, kProbe, kBaselineSave, kReport, kHelp, kVersion };

/// Which listeners `portwarden scan` shows (and `report` lists); every criterion set must
/// match. Names are shell globs (fnmatch), as in exposure rules.
struct ScanFilter {
  std::vector<config::PortRange> ports;  ///< --port=443,8000-8100 or the ":PORT" argument
  std::optional<Protocol> protocol;      ///< --proto=tcp|udp
  std::string address;                   ///< "ADDR:PORT" argument: the exact bind address
  std::string netns;                     ///< --netns=GLOB (label: "host", a name, net:[inode])
  std::string process;                   ///< --process=GLOB over comm and executable path
  bool violations_only = false;          ///< --violations

  bool empty() const {
    return ports.empty() && !protocol && address.empty() && netns.empty() && process.empty() &&
           !violations_only;
  }
};

/// Everything the command line can say. Flags follow the Prometheus exporter convention:
/// `--name=value` or `--name value`; booleans as `--name` or `--no-name`.
struct CommandLine {
  Command command = Command::kDaemon;
  std::string config_file;
  bool config_check = false;
  std::vector<std::string> listen_addresses;  ///< Empty = from config / default.
  std::optional<std::string> telemetry_path;
  std::string web_config_file;  ///< --web.config.file; empty = plain HTTP, no auth
  /// --collector.<name> (true) / --no-collector.<name> (false), in the order given; the
  /// names are checked by the exporter (exporters/prometheus/collector_set.h).
  std::vector<std::pair<std::string, bool>> collectors;
  std::string log_level = "info";
  std::string log_format = "logfmt";
  std::string output = "table";  ///< scan / probe: "table" or "json"
  bool fail_on_violation = false;
  bool fail_on_partial = false;  ///< scan: exit 5 when the view is partial
  bool connections = false;      ///< scan --connections: established connections per listener
  /// scan --baseline=FILE: diff against it (exit 6 when a listener is unapproved);
  /// `baseline save FILE`: where to write.
  std::string baseline_file;
  bool baseline_verb = false;  ///< `baseline save` was given
  // probe
  std::string probe_target;
  std::string server_name;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string timeout = "5s";
  int warn_days = 14;
  bool http = false;
  bool posture = false;  ///< probe --posture: also the protocol versions and posture findings
  std::optional<std::uint16_t> plain_http_companion;  ///< --plain-http-companion
  bool show_certs = false;                            ///< probe --show-certs: the chain as PEM
  // scan
  ScanFilter filter;
  // report
  std::string report_format = "html";  ///< --format=html|markdown|csv
  std::string from_url;                ///< --from=URL of a running agent ("" = collect now)
  std::string output_file;             ///< -o FILE ("" or "-" = stdout)
};

/// Parses argv (without argv[0]). Errors name the flag and what is wrong.
Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

/// The --help text.
std::string UsageText();

}  // namespace portwarden::app
