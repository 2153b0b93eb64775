// CPU of the posture stage per endpoint, as a ratio to one probe of the same endpoint, both
// measured in-process in the same run against the same server. Prints one JSON object. Not a
// test; run by tests/bench/posture_bench.py.
//   posture_cycles HOST PORT CA_FILE [ENDPOINTS] [ROUNDS]
//     ROUNDS times (alternating, so drift hits both alike): one OpenSslProber::RunCycle and one
//     PostureRunner::Run over ENDPOINTS endpoints (SNI h<i>.bench.test).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/config/config.h"
#include "agent/posture/posture_runner.h"
#include "agent/probe/openssl_prober.h"
#include "tests/bench/cycle_timer.h"

namespace {

portwarden::config::Config BenchConfig(const std::string& host,
                                       int port,
                                       const std::string& ca_file,
                                       int endpoints) {
  auto config = portwarden::config::Defaults();
  config.discovery.enabled = false;
  for (int i = 0; i < endpoints; ++i) {
    portwarden::config::EndpointConfig endpoint;
    endpoint.host = host;
    endpoint.port = static_cast<std::uint16_t>(port);
    endpoint.target = host + ":" + std::to_string(port);
    endpoint.server_name = "h" + std::to_string(i) + ".bench.test";
    endpoint.ca_file = ca_file;
    config.endpoints.push_back(endpoint);
  }
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: posture_cycles HOST PORT CA_FILE [ENDPOINTS] [ROUNDS]\n");
    return 2;
  }
  using portwarden::bench::CpuSeconds;
  const int endpoints = argc > 4 ? std::atoi(argv[4]) : 20;
  const int rounds = argc > 5 ? std::atoi(argv[5]) : 10;
  const auto config = BenchConfig(argv[1], std::atoi(argv[2]), argv[3], endpoints);
  const auto targets = portwarden::probe::ConfiguredTargets(config.endpoints);
  const auto settings = portwarden::probe::ProbeSettingsFrom(config);
  portwarden::probe::OpenSslProber prober;
  portwarden::posture::PostureRunner posture;
  prober.RunCycle(targets, settings);  // warm-up: contexts, trust store, worker threads
  posture.Run(targets, config);
  double probe_cpu = 0;
  double posture_cpu = 0;
  long probes = 0;
  long assessed = 0;
  long accepted = 0;
  for (int round = 0; round < rounds; ++round) {
    double start = CpuSeconds();
    probes += static_cast<long>(prober.RunCycle(targets, settings).results.size());
    probe_cpu += CpuSeconds() - start;
    start = CpuSeconds();
    const auto report = posture.Run(targets, config);
    posture_cpu += CpuSeconds() - start;
    for (const auto& result : report.results) {
      ++assessed;
      for (const auto& version : result.versions) {
        accepted += version.accepted ? 1 : 0;
      }
    }
  }
  const double per_probe = probe_cpu / static_cast<double>(probes);
  const double per_posture = posture_cpu / static_cast<double>(assessed);
  std::printf(
      "{\"endpoints\": %d, \"rounds\": %d, \"cpu_per_probe_ms\": %.3f, "
      "\"cpu_per_posture_endpoint_ms\": %.3f, \"ratio\": %.2f, "
      "\"versions_accepted_per_endpoint\": %.2f}\n",
      endpoints, rounds, per_probe * 1e3, per_posture * 1e3, per_posture / per_probe,
      static_cast<double>(accepted) / static_cast<double>(assessed));
  return 0;
}
