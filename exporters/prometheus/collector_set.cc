#include "exporters/prometheus/collector_set.h"

#include <array>

namespace portwarden::exporters::prom {
namespace {

static_assert(static_cast<std::size_t>(Collector::kProcess) + 1 == kCollectorCount,
              "kCollectorCount counts every Collector");

constexpr std::array<CollectorInfo, kCollectorCount> kCollectors = {{
    {Collector::kInventory, "inventory",
     "listener counts by protocol and reach, inventory health (a fixed set, 26 series)"},
    {Collector::kListeners, "listeners",
     "per-listener info, socket count and first-seen time (3 series per listener)"},
    {Collector::kExposure, "exposure",
     "policy violations (1 series per violating listener) and per-rule totals"},
    {Collector::kTls, "tls",
     "per-endpoint probe outcome, phases, counters, TLS parameters; discovered targets"},
    {Collector::kTlsChain, "tls_chain",
     "per-certificate NotAfter, NotBefore and info (3 series per certificate)"},
    {Collector::kTlsHistogram, "tls_histogram",
     "the handshake-latency histogram (bounds + 3 series per endpoint)"},
    {Collector::kHttp, "http", "HTTP status, HSTS and plain-HTTP redirect of probed endpoints"},
    {Collector::kCertFiles, "certfiles",
     "[[certificates]] files: NotAfter, NotBefore, info (3 series per certificate), errors, "
     "renewed-not-served"},
    {Collector::kPosture, "posture",
     "protocol versions accepted, posture findings, key-exchange groups and revocation "
     "(agent.posture_interval; 6 series per endpoint plus 1 per finding, 10 groups on TLS 1.3, "
     "1-2 for the OCSP staple, 5 per certificate with a CRL)"},
    {Collector::kProcess, "process", "process_* (CPU, memory, file descriptors)"},
}};

}  // namespace

std::span<const CollectorInfo> AllCollectors() {
  return kCollectors;
}

// node_exporter applies --collector.disable-defaults first, wherever it stands.
Status CollectorSet::Apply(const std::vector<std::pair<std::string, bool>>& toggles) {
  for (const auto& [name, on] : toggles) {
    if (name == kDisableDefaults && on) {
      enabled_.reset();
    }
  }
  for (const auto& [name, on] : toggles) {
    if (name == kDisableDefaults) {
      continue;
    }
    bool found = false;
    for (const CollectorInfo& info : kCollectors) {
      if (info.name == name) {
        Set(info.id, on);
        found = true;
      }
    }
    if (!found) {
      std::string known;
      for (const CollectorInfo& info : kCollectors) {
        known += (known.empty() ? "" : ", ") + std::string(info.name);
      }
      return Fail("unknown collector \"" + name + "\" (collectors: " + known + ")");
    }
  }
  return {};
}

}  // namespace portwarden::exporters::prom
