// `portwarden probe host:port`: one TLS probe, printed as a report or JSON.
#include <chrono>
#include <cstdio>

#include "agent/app/commands.h"
#include "agent/config/host_port.h"
#include "agent/core/clock.h"
#include "agent/posture/posture_runner.h"
#include "agent/probe/openssl_prober.h"
#include "exporters/json/state_json.h"
#include "exporters/report/report.h"

namespace portwarden::app {
namespace {

Result<config::Config> ProbeConfig(const CommandLine& cl) {
  auto host_port = config::SplitHostPort(cl.probe_target);
  if (!host_port) {
    return std::unexpected(host_port.error());
  }
  auto timeout = ParseDuration(cl.timeout);
  if (!timeout || timeout->count() <= 0) {
    return Fail("flag --timeout: " +
                (timeout ? std::string("must be greater than zero") : timeout.error().message));
  }
  config::Config config = config::Defaults();
  config::EndpointConfig endpoint;
  endpoint.target = cl.probe_target;
  endpoint.host = host_port->host;
  endpoint.port = host_port->port;
  endpoint.server_name = cl.server_name.empty() ? host_port->host : cl.server_name;
  endpoint.ca_file = cl.ca_file;
  endpoint.cert_file = cl.cert_file;
  endpoint.key_file = cl.key_file;
  endpoint.http = cl.http;
  endpoint.plain_http_companion = cl.plain_http_companion;
  endpoint.timeout = *timeout;
  endpoint.capture_pem = cl.show_certs;
  config.agent.probe_timeout = *timeout;
  config.endpoints.push_back(std::move(endpoint));
  return config;
}

bool ExpiresWithin(const probe::ProbeResult& result, int days, double now) {
  return !result.chain.empty() && result.chain.front().not_after - now < days * 86400.0;
}

// The probe results as an array; with --posture, {"probes": [...], "posture": [...]}.
void PrintJson(const probe::ProbeReport& report, const posture::PostureReport* posture) {
  exporters::json::JsonWriter out;
  if (posture != nullptr) {
    out.BeginObject().Key("probes");
  }
  exporters::json::WriteProbeResults(out, report);
  if (posture != nullptr) {
    out.Key("posture");
    exporters::json::WritePostureResults(out, *posture);
    out.EndObject();
  }
  std::printf("%s\n", out.str().c_str());
}

}  // namespace

int RunProbe(const CommandLine& cl) {
  auto config = ProbeConfig(cl);
  if (!config) {
    std::fprintf(stderr, "portwarden: error: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  probe::OpenSslProber runner;
  const auto targets = probe::ConfiguredTargets(config->endpoints);
  const probe::ProbeReport report = runner.RunCycle(targets, probe::ProbeSettingsFrom(*config));
  posture::PostureReport posture;
  if (cl.posture) {
    posture = posture::PostureRunner().Run(targets, *config);
  }
  const double now = ToUnixSeconds(std::chrono::system_clock::now());
  if (cl.output == "json") {
    PrintJson(report, cl.posture ? &posture : nullptr);
  } else {
    for (const auto& result : report.results) {
      std::fputs(exporters::report::ProbeReportText(result, now).c_str(), stdout);
      if (cl.show_certs) {
        std::fputs(exporters::report::ChainPem(result).c_str(), stdout);
      }
    }
    for (const auto& result : posture.results) {
      std::fputs(exporters::report::PostureReportText(result).c_str(), stdout);
    }
  }
  bool healthy = !report.results.empty();
  for (const auto& result : report.results) {
    const bool expiring = ExpiresWithin(result, cl.warn_days, now);
    if (expiring) {
      std::fprintf(
          stderr, "portwarden: %s: leaf certificate expires in %.1f days (--warn-days=%d)\n",
          result.address.c_str(), (result.chain.front().not_after - now) / 86400.0, cl.warn_days);
    }
    healthy = healthy && result.success && !expiring;
  }
  return healthy ? kExitOk : kExitProbeFailed;
}

}  // namespace portwarden::app
