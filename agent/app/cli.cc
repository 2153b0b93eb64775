#include "agent/app/cli.h"

#include <charconv>
#include <functional>
#include <map>
#include <string>

#include "agent/config/host_port.h"

namespace portwarden::app {
namespace {

using Setter = std::function<Status(CommandLine&, const std::string&)>;

struct FlagSpec {
  bool takes_value;
  Setter set;
};

Status SetInt(int& field, const std::string& flag, const std::string& value) {
  int parsed = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc() || end != value.data() + value.size() || parsed < 0) {
    return Fail("flag --" + flag + ": expected a non-negative integer, got \"" + value + "\"");
  }
  field = parsed;
  return {};
}

Status SetOutput(CommandLine& cl, const std::string& value) {
  if (value != "table" && value != "json") {
    return Fail("flag --output: must be \"table\" or \"json\", got \"" + value + "\"");
  }
  cl.output = value;
  return {};
}

// "443", "443,8443", "8000-8100"; each port 1..65535.
Status SetPorts(CommandLine& cl, const std::string& value) {
  std::string_view rest = value;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const auto dash = item.find('-');
    auto parse = [&](std::string_view text) -> std::optional<std::uint16_t> {
      int port = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
      if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535) {
        return std::nullopt;
      }
      return static_cast<std::uint16_t>(port);
    };
    const auto first = parse(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse(item.substr(dash + 1));
    if (!first || !last || *last < *first) {
      return Fail("flag --port: expected ports or ranges like 443,8000-8100, got \"" + value +
                  "\"");
    }
    cl.filter.ports.push_back({*first, *last});
    if (comma == std::string_view::npos) {
      return {};
    }
    rest = rest.substr(comma + 1);
  }
}

Status SetProto(CommandLine& cl, const std::string& value) {
  const auto protocol = ParseProtocol(value);
  if (!protocol) {
    return Fail("flag --proto: must be \"tcp\" or \"udp\", got \"" + value + "\"");
  }
  cl.filter.protocol = protocol;
  return {};
}

Status SetFormat(CommandLine& cl, const std::string& value) {
  if (value != "html" && value != "markdown" && value != "csv") {
    return Fail("flag --format: must be \"html\", \"markdown\" or \"csv\", got \"" + value + "\"");
  }
  cl.report_format = value;
  return {};
}

Status SetFrom(CommandLine& cl, const std::string& value) {
  if (!value.starts_with("http://") && !value.starts_with("https://")) {
    return Fail("flag --from: expected the http:// or https:// URL of a running agent, got \"" +
                value + "\"");
  }
  cl.from_url = value;
  return {};
}

// The scan argument: ":8443", "8443", "127.0.0.1:8443", "[::1]:443".
Status SetScanTarget(CommandLine& cl, const std::string& arg) {
  if (!arg.empty() && arg.find(':') == std::string::npos) {
    return SetPorts(cl, arg);
  }
  if (arg.starts_with(':')) {
    return SetPorts(cl, arg.substr(1));
  }
  auto host_port = config::SplitHostPort(arg);
  if (!host_port) {
    return Fail("scan: expected :PORT or ADDRESS:PORT, got \"" + arg + "\"");
  }
  cl.filter.address = host_port->host;
  cl.filter.ports.push_back({host_port->port, host_port->port});
  return {};
}

Setter Text(std::string CommandLine::*field) {
  return [field](CommandLine& cl, const std::string& value) -> Status {
    cl.*field = value;
    return {};
  };
}

Setter Flag(bool CommandLine::*field, bool value) {
  return [field, value](CommandLine& cl, const std::string&) -> Status {
    cl.*field = value;
    return {};
  };
}

const std::map<std::string, FlagSpec>& Flags() {
  static const std::map<std::string, FlagSpec> kFlags = {
      {"config.file",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          if (v.empty()) {
            return Fail(
                "flag --config.file: path is empty (omit the flag for the built-in "
                "defaults)");
          }
          cl.config_file = v;
          return {};
        }}},
      {"config.check", {false, Flag(&CommandLine::config_check, true)}},
      {"web.listen-address",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          // The server's own parser, without binding: --config.check rejects what start-up
          // would.
          if (auto parsed = config::SplitListenAddress(v); !parsed) {
            return Fail("flag --web.listen-address: " + parsed.error().message);
          }
          cl.listen_addresses.push_back(v);
          return {};
        }}},
      {"web.telemetry-path",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          if (!v.starts_with('/')) {
            return Fail("flag --web.telemetry-path: must start with \"/\", got \"" + v + "\"");
          }
          cl.telemetry_path = v;
          return {};
        }}},
      {"web.config.file",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          if (v.empty()) {
            return Fail("flag --web.config.file: empty path");
          }
          cl.web_config_file = v;
          return {};
        }}},
      {"log.level", {true, Text(&CommandLine::log_level)}},
      {"log.format", {true, Text(&CommandLine::log_format)}},
      {"output", {true, SetOutput}},
      {"fail-on-violation", {false, Flag(&CommandLine::fail_on_violation, true)}},
      {"fail-on-partial", {false, Flag(&CommandLine::fail_on_partial, true)}},
      {"connections", {false, Flag(&CommandLine::connections, true)}},
      {"baseline", {true, Text(&CommandLine::baseline_file)}},
      {"no-fail-on-violation", {false, Flag(&CommandLine::fail_on_violation, false)}},
      {"server-name", {true, Text(&CommandLine::server_name)}},
      {"ca-file", {true, Text(&CommandLine::ca_file)}},
      {"cert-file", {true, Text(&CommandLine::cert_file)}},
      {"key-file", {true, Text(&CommandLine::key_file)}},
      {"timeout", {true, Text(&CommandLine::timeout)}},
      {"warn-days",
       {true, [](CommandLine& cl,
                 const std::string& v) { return SetInt(cl.warn_days, "warn-days", v); }}},
      {"http", {false, Flag(&CommandLine::http, true)}},
      {"posture", {false, Flag(&CommandLine::posture, true)}},
      {"show-certs", {false, Flag(&CommandLine::show_certs, true)}},
      {"port", {true, SetPorts}},
      {"proto", {true, SetProto}},
      {"netns",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          cl.filter.netns = v;
          return {};
        }}},
      {"process",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          cl.filter.process = v;
          return {};
        }}},
      {"violations",
       {false,
        [](CommandLine& cl, const std::string&) -> Status {
          cl.filter.violations_only = true;
          return {};
        }}},
      {"format", {true, SetFormat}},
      {"from", {true, SetFrom}},
      {"no-http", {false, Flag(&CommandLine::http, false)}},
      {"plain-http-companion",
       {true,
        [](CommandLine& cl, const std::string& v) -> Status {
          int port = 0;
          if (auto set = SetInt(port, "plain-http-companion", v); !set) {
            return set;
          }
          if (port < 1 || port > 65535) {
            return Fail("flag --plain-http-companion: must be a port from 1 to 65535");
          }
          cl.plain_http_companion = static_cast<std::uint16_t>(port);
          cl.http = true;
          return {};
        }}},
  };
  return kFlags;
}

// "--collector.NAME" / "--no-collector.NAME", as node_exporter spells them. Returns false when
// `name` is no collector flag.
bool ApplyCollectorFlag(CommandLine& cl, const std::string& name, bool has_value, Status& status) {
  for (const auto& [prefix, on] : {std::pair{"collector.", true}, {"no-collector.", false}}) {
    const std::string_view p = prefix;
    if (name.starts_with(p) && name.size() > p.size()) {
      status = has_value ? Status(Fail("flag --" + name + " takes no value")) : Status();
      cl.collectors.emplace_back(name.substr(p.size()), on);
      return true;
    }
  }
  return false;
}

// Applies one "--name[=value]" argument; may consume the next argument as its value.
Status ApplyFlag(CommandLine& cl, const std::vector<std::string>& args, std::size_t& i) {
  const std::string body = args[i].substr(2);
  const auto eq = body.find('=');
  const std::string name = body.substr(0, eq);
  if (Status status; ApplyCollectorFlag(cl, name, eq != std::string::npos, status)) {
    return status;
  }
  if (name == "help") {
    cl.command = Command::kHelp;
    return {};
  }
  if (name == "version") {
    cl.command = Command::kVersion;
    return {};
  }
  const auto it = Flags().find(name);
  if (it == Flags().end()) {
    return Fail("unknown flag --" + name + " (see --help)");
  }
  if (!it->second.takes_value) {
    if (eq != std::string::npos) {
      return Fail("flag --" + name + " takes no value");
    }
    return it->second.set(cl, "");
  }
  if (eq != std::string::npos) {
    return it->second.set(cl, body.substr(eq + 1));
  }
  if (i + 1 >= args.size()) {
    return Fail("flag --" + name + " needs a value");
  }
  return it->second.set(cl, args[++i]);
}

// `baseline save FILE`: the verb, then the file.
Status ApplyBaselineArgument(CommandLine& cl, const std::string& arg) {
  if (!cl.baseline_verb) {
    if (arg != "save") {
      return Fail("baseline: unknown action \"" + arg +
                  "\" (usage: portwarden baseline save FILE)");
    }
    cl.baseline_verb = true;
    return {};
  }
  if (cl.baseline_file.empty()) {
    cl.baseline_file = arg;
    return {};
  }
  return Fail("unexpected argument \"" + arg + "\"");
}

Status ApplyPositional(CommandLine& cl, const std::string& arg, bool& have_command) {
  if (!have_command) {
    have_command = true;
    if (arg == "scan") {
      cl.command = Command::kScan;
      return {};
    }
    if (arg == "probe") {
      cl.command = Command::kProbe;
      return {};
    }
    if (arg == "baseline") {
      cl.command = Command::kBaselineSave;
      return {};
    }
    if (arg == "report") {
      cl.command = Command::kReport;
      return {};
    }
    return Fail("unknown command \"" + arg +
                "\" (commands: scan, probe, baseline, report; see --help)");
  }
  if (cl.command == Command::kBaselineSave) {
    return ApplyBaselineArgument(cl, arg);
  }
  if (cl.command == Command::kScan && cl.filter.address.empty()) {
    return SetScanTarget(cl, arg);
  }
  if (cl.command == Command::kProbe && cl.probe_target.empty()) {
    cl.probe_target = arg;
    return {};
  }
  return Fail("unexpected argument \"" + arg + "\"");
}

}  // namespace

Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  bool have_command = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    Status status;
    if (arg.starts_with("--") && arg.size() > 2) {
      status = ApplyFlag(cl, args, i);
    } else if (arg == "-o") {  // report -o FILE
      status = i + 1 < args.size() ? Status{} : Status(Fail("flag -o needs a file name"));
      if (status) {
        cl.output_file = args[++i];
      }
    } else if (arg != "-h") {
      status = ApplyPositional(cl, arg, have_command);
    }
    if (arg == "-h") {
      cl.command = Command::kHelp;
    }
    if (!status) {
      return std::unexpected(status.error());
    }
    if (cl.command == Command::kHelp || cl.command == Command::kVersion) {
      return cl;
    }
  }
  if (cl.command == Command::kProbe && cl.probe_target.empty()) {
    return Fail("probe: missing target (usage: portwarden probe host:port)");
  }
  if (cl.command == Command::kBaselineSave && (!cl.baseline_verb || cl.baseline_file.empty())) {
    return Fail("baseline: usage: portwarden baseline save FILE");
  }
  return cl;
}

std::string UsageText() {
  return R"(usage: portwarden [flags]                 run the agent (serves /metrics)
       portwarden scan [:PORT|ADDR:PORT] [flags]
                                          print listening sockets once and exit
       portwarden probe host:port [flags] probe one TLS endpoint once and exit
       portwarden baseline save FILE      write the listeners seen now as an approved
                                          baseline (TOML; see docs/exposure.md)
       portwarden report [flags]          write a dated audit report (HTML, Markdown, CSV)

Agent flags:
  --config.file=PATH          TOML configuration file (default: built-in defaults)
  --config.check              validate the configuration, print the verdict and exit
  --web.listen-address=ADDR   address to serve on; repeatable (default ":19443";
                              e.g. "127.0.0.1:19443", "[::1]:19443")
  --web.telemetry-path=PATH   path of the metrics endpoint (default "/metrics")
  --web.config.file=PATH      exporter-toolkit web config (YAML): TLS, basic auth,
                              headers; re-read when it changes; see docs/configuration.md
  --collector.NAME, --no-collector.NAME
                              export (default) or leave out a group of series:
                              inventory, listeners, exposure, tls, tls_chain,
                              tls_histogram, http, posture, process; see
                              docs/metrics.md
  --collector.disable-defaults
                              start from no group; then --collector.NAME adds
  --log.level=LEVEL           debug, info, warn or error (default info)
  --log.format=FORMAT         logfmt or json (default logfmt)
  --version                   print version information and exit
  --help                      print this help and exit

scan flags:
  --posture                   also the posture: one handshake per TLS version (1.0 to
                              1.3) and the posture findings (see docs/metrics.md)
  --output=table|json         output format (default table)
  --fail-on-violation         exit with status 3 when a listener violates the policy
  --fail-on-partial           exit with status 5 when part of the host could not be seen
                              (a network namespace unreadable, a socket without its process)
  --config.file=PATH          policy and inventory settings to use
  --connections               a CONNECTIONS column: established connections per TCP
                              listener by peer scope (one filtered dump per namespace)
  --baseline=FILE             diff against a saved baseline: exit with status 6 when a
                              listener is not in it (marked UNAPPROVED)
  --port=PORTS                only these ports: 443,8443 or 8000-8100 (also ":PORT")
  --proto=tcp|udp             only this protocol
  --netns=GLOB                only namespaces whose label matches ("host", a name)
  --process=GLOB              only listeners whose process name or executable matches
  --violations                only listeners that violate the exposure policy

probe flags:
  --server-name=NAME          SNI and name to verify (default: the host)
  --ca-file=PATH              trusted roots (default: the system store)
  --cert-file=PATH --key-file=PATH   client certificate for mTLS
  --timeout=DURATION          deadline for the whole probe (default 5s)
  --warn-days=N               exit non-zero when the leaf expires within N days (default 14)
  --http                      also GET / over HTTPS (status, HSTS); for port 443 also
                              check that http://host:80/ redirects to https
  --plain-http-companion=PORT the plain-HTTP port expected to redirect to https (implies
                              --http)
  --output=table|json         output format (default table)
  --show-certs                also print the presented chain as PEM

report flags:
  --format=html|markdown|csv  report format (default html)
  --from=URL                  read the state of a running agent (http://host:19443);
                              default: collect now (inventory, policy, probes)
  -o FILE                     write the report to FILE (default standard output)
  --config.file=PATH          settings for a fresh collection
  --baseline=FILE             list the changes since this baseline (default: the
                              agent's or the config's inventory.baseline, if any)
  --port, --proto, --netns, --process, --violations
                              as for scan: which listeners the report lists

Exit status: 0 success, 1 runtime failure, 2 usage or configuration error,
3 violations found (scan --fail-on-violation), 4 probe failed or certificate expiring,
5 partial view (scan --fail-on-partial; checked after violations), 6 a listener is not
in the baseline (scan --baseline; checked after 3 and before 5).
)";
}

}  // namespace portwarden::app
