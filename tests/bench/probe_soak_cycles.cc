// Runs CYCLES probe cycles of CONFIG's endpoints back to back, in-process, and prints the
// process's open fds, threads and RssAnon after a warm-up and at the end, as one JSON object
// (with the last cycle's outcome per target). Not a test; driven by tests/bench/probe_soak.py.
//   probe_soak_cycles CONFIG_FILE CYCLES [WARMUP]
#include <dirent.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "agent/config/config.h"
#include "agent/core/log.h"
#include "agent/probe/openssl_prober.h"

namespace {

struct Sample {
  long fds = 0;
  long threads = 0;
  long rss_anon_kb = 0;
};

long StatusField(const std::string& name) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(name + ":")) {
      return std::atol(line.c_str() + name.size() + 1);
    }
  }
  return -1;
}

Sample SampleNow() {
  Sample sample;
  if (DIR* dir = ::opendir("/proc/self/fd"); dir != nullptr) {
    while (const dirent* entry = ::readdir(dir)) {
      sample.fds += entry->d_name[0] != '.' ? 1 : 0;
    }
    ::closedir(dir);
    sample.fds -= 1;  // The directory stream itself.
  }
  sample.threads = StatusField("Threads");
  sample.rss_anon_kb = StatusField("RssAnon");
  return sample;
}

double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string Json(const Sample& s) {
  return "{\"fds\": " + std::to_string(s.fds) + ", \"threads\": " + std::to_string(s.threads) +
         ", \"rss_anon_kb\": " + std::to_string(s.rss_anon_kb) + "}";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s CONFIG_FILE CYCLES [WARMUP]\n", argv[0]);
    return 2;
  }
  auto config = portwarden::config::LoadFile(argv[1]);
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 2;
  }
  portwarden::log::Setup(portwarden::log::Level::kError, portwarden::log::Format::kLogfmt);
  const long cycles = std::atol(argv[2]);
  const long warmup = argc > 3 ? std::atol(argv[3]) : 100;
  const auto targets = portwarden::probe::ConfiguredTargets(config->endpoints);
  portwarden::probe::OpenSslProber runner;
  for (long i = 0; i < warmup; ++i) {
    runner.RunCycle(targets, portwarden::probe::ProbeSettingsFrom(*config));
  }
  const Sample start = SampleNow();
  const double cpu = CpuSeconds();
  const auto began = std::chrono::steady_clock::now();
  double slowest = 0;
  std::map<std::string, std::string> outcome;
  for (long i = 0; i < cycles; ++i) {
    const auto cycle_start = std::chrono::steady_clock::now();
    const auto report = runner.RunCycle(targets, portwarden::probe::ProbeSettingsFrom(*config));
    slowest = std::max(
        slowest,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - cycle_start).count());
    if (i + 1 == cycles) {
      for (const auto& result : report.results) {
        outcome[result.target] = result.success ? "ok" : result.failure_reason;
      }
    }
    if ((i + 1) % 1000 == 0) {
      std::fprintf(stderr, "%ld cycles: %s\n", i + 1, Json(SampleNow()).c_str());
    }
  }
  const Sample end = SampleNow();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::string results;
  for (const auto& [target, result] : outcome) {
    results += (results.empty() ? "" : ", ") + ("\"" + target + "\": \"" + result + "\"");
  }
  std::printf(
      "{\"cycles\": %ld, \"targets\": %zu, \"wall_s\": %.1f, \"cpu_s\": %.1f, "
      "\"slowest_cycle_s\": %.3f, \"start\": %s, \"end\": %s, \"growth\": {\"fds\": %ld, "
      "\"threads\": %ld, \"rss_anon_kb\": %ld}, \"last_cycle\": {%s}}\n",
      cycles, targets.size(), wall, CpuSeconds() - cpu, slowest, Json(start).c_str(),
      Json(end).c_str(), end.fds - start.fds, end.threads - start.threads,
      end.rss_anon_kb - start.rss_anon_kb, results.c_str());
  return 0;
}
