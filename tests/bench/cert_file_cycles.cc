// Certificate-file collector cycles: a cold read of N files (every file opened and parsed)
// and warm cycles over the same unchanged files (one stat each), CPU time per file.
//   usage: cert_file_cycles DIR WARM_CYCLES   (DIR holds the files; every file is one source)
// Prints: files=<n> certificates=<n> cold_cpu_us_per_file=<x> warm_cpu_us_per_file=<y>
// tests/bench/cert_file_bench.py runs it and the peer (openssl x509, per file).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/certfiles/cert_file_collector.h"
#include "tests/bench/cycle_timer.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: cert_file_cycles DIR WARM_CYCLES\n");
    return 2;
  }
  using portwarden::bench::CpuSeconds;
  using portwarden::certfiles::CertFileCollector;
  const std::vector<portwarden::config::CertificateSourceConfig> sources = {
      {"bench", {std::string(argv[1]) + "/*"}, ""}};
  const int cycles = std::atoi(argv[2]);
  CertFileCollector collector;
  double start = CpuSeconds();
  const auto cold = collector.Collect(sources);
  const double cold_seconds = CpuSeconds() - start;
  start = CpuSeconds();
  std::size_t parsed = 0;
  for (int i = 0; i < cycles; ++i) {
    parsed += collector.Collect(sources).files_parsed;
  }
  const double warm_seconds = (CpuSeconds() - start) / cycles;
  const double files = static_cast<double>(cold.files);
  std::printf(
      "files=%zu certificates=%zu errors=%zu reparsed_warm=%zu "
      "cold_cpu_us_per_file=%.1f warm_cpu_us_per_file=%.2f\n",
      cold.files, cold.certificates.size(), cold.errors.size(), parsed, cold_seconds / files * 1e6,
      warm_seconds / files * 1e6);
  return 0;
}
