// The long-running agent: collection engine + HTTP exposition, driven by signals.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/app/status_page_source.h"
#include "agent/core/clock.h"
#include "agent/core/host_identity.h"
#include "agent/core/log.h"
#include "agent/core/version.h"
#include "agent/core/version_info.h"
#include "agent/engine/agent_engine.h"
#include "agent/posture/posture_runner.h"
#include "agent/probe/openssl_prober.h"
#include "exporters/http/http_server.h"
#include "exporters/json/state_json.h"
#include "exporters/prometheus/exposition_cache.h"
#include "exporters/report/page_cache.h"

namespace portwarden::app {
namespace {

// Blocks the signals the main thread waits for, before any thread starts, so every
// thread inherits the mask and only sigwait() sees them.
sigset_t BlockControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void ApplyFlags(const CommandLine& cl, config::Config& config) {
  if (!cl.listen_addresses.empty()) {
    config.web.listen_addresses = cl.listen_addresses;
  }
  if (cl.telemetry_path) {
    config.web.telemetry_path = *cl.telemetry_path;
  }
}

void LogStart(const config::Config& config) {
  log::Info(
      "Starting portwarden",
      {{"version", build::kVersion}, {"revision", build::kRevision}, {"branch", build::kBranch}});
  log::Info("Build context",
            {{"compiler", build::kCompiler}, {"openssl", build::OpenSslVersion()}});
  log::Info("Loaded configuration",
            {{"file", config.source.empty() ? "(built-in defaults)" : config.source},
             {"endpoints", config.endpoints.size()},
             {"scan_interval", FormatDuration(config.agent.scan_interval)},
             {"probe_interval", FormatDuration(config.agent.probe_interval)}});
}

// Waits for SIGINT/SIGTERM, reloading on SIGHUP meanwhile.
void ServeUntilStopped(const sigset_t& signals, engine::AgentEngine& engine) {
  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) {
      continue;
    }
    if (signal_number == SIGHUP) {
      (void)engine.Reload();
      continue;
    }
    log::Info("Received signal, exiting gracefully",
              {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
    return;
  }
}

// glibc gives each thread that allocates under contention an arena of its own (up to 8 per
// CPU) and keeps what each arena once held. The agent's allocation bursts — a probe cycle, a
// rendering of the exposition — run on whichever probe or HTTP worker thread is free, so
// every arena ended up holding a whole burst: at 1,000 endpoints scraped every second,
// RssAnon was 160 MB with the default arenas and 29 MB with two (tests/bench/scale_bench.py,
// docs/benchmarks.md). One is less again: up to 1,000 targets the handshakes run in one
// event loop, and glibc's per-thread cache serves most small allocations without the arena's
// lock (100 endpoints, half by name: 1.2–2.4 MB less private memory than two, CPU per probe
// unchanged; 2,000 targets in two loops: no dearer). A fixed mmap threshold keeps the exposition's
// large buffers (hundreds of KB) in mmap'd chunks that go back to the kernel when freed: by default
// glibc raises the threshold after the first such free, and the next ones land in the heap and stay
// there as its high-water mark until a trim. Before any thread starts; MALLOC_ARENA_MAX or
// GLIBC_TUNABLES in the environment still win.
void TuneMalloc() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr && std::getenv("GLIBC_TUNABLES") == nullptr) {
    constexpr int kMmapThreshold = 128 * 1024;  // glibc's own initial threshold, kept fixed
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  }
}

}  // namespace

int RunDaemon(const CommandLine& cl) {
  TuneMalloc();
  auto config = LoadConfig(cl);
  if (!config) {
    log::Error("Error loading configuration", {{"err", config.error().message}});
    return kExitUsage;
  }
  ApplyFlags(cl, *config);
  const sigset_t signals = BlockControlSignals();
  LogStart(*config);

  state::SnapshotStore store;
  store.Update([](state::Snapshot& snapshot) { snapshot.host = ReadHostIdentity(); });
  const SystemClock clock;
  // The engine owns the configuration (and its reloads); the daemon keeps only what it reads
  // itself, so a big [[endpoints]] list is held once, not once here and once in the engine.
  const config::WebSettings web = config->web;
  const std::string proc_path = config->inventory.proc_path;
  const auto inventory_settings = inventory::InventorySettingsFrom(*config);
  engine::AgentEngine engine(
      std::move(*config),
      {.config_source = cl.config_file,
       .load_config = engine::FileConfigLoader(cl.config_file),
       .inventory = std::make_unique<engine::HostInventoryStage>(inventory_settings),
       .prober = std::make_unique<probe::OpenSslProber>(),
       .posture = std::make_unique<posture::PostureRunner>()},
      store, clock);
  exporters::prom::CollectorSet collectors;
  if (auto applied = collectors.Apply(cl.collectors); !applied) {
    log::Error("Error in collector flags", {{"err", applied.error().message}});
    return kExitUsage;
  }
  const exporters::prom::ExpositionCache exposition([&store] { return store.Get(); }, proc_path,
                                                    collectors);
  // Rendered once per snapshot (a reload publishes one too, so the config shown is current).
  const exporters::report::PageCache status_page(
      [&store] { return store.Get(); },
      [&engine, path = web.telemetry_path](const state::Snapshot& snapshot) {
        return RenderStatusPage(snapshot, *engine.CurrentConfig(), path);
      });
  exporters::http::Handlers handlers{
      .metrics =
          [&exposition](bool gzip) {
            auto scrape = exposition.Scrape(gzip);
            return exporters::http::MetricsBody{std::move(scrape.shared_prefix),
                                                std::move(scrape.body), scrape.gzip};
          },
      .state_json =
          [&store](bool pretty) { return exporters::json::SnapshotJson(*store.Get(), pretty); },
      .status_page = [&status_page] { return status_page.Get(); },
      .ready = [&engine] { return engine.Ready(); },
      .reload = [&engine] { return engine.Reload(); },
  };
  std::unique_ptr<exporters::http::WebConfigStore> web_config;
  if (!cl.web_config_file.empty()) {
    auto opened = exporters::http::WebConfigStore::Open(cl.web_config_file);
    if (!opened) {
      log::Error("Error loading web config file", {{"err", opened.error().message}});
      return kExitUsage;
    }
    web_config = std::move(*opened);
  }
  exporters::http::HttpServer server(std::move(handlers), web, web_config.get());
  auto bound = server.Start();
  if (!bound) {
    log::Error("Error starting HTTP server", {{"err", bound.error().message}});
    return kExitFailure;
  }
  for (const std::string& address : *bound) {
    log::Info("Listening on", {{"address", address},
                               {"path", web.telemetry_path},
                               {"tls", web_config && web_config->tls()}});
  }
  engine.Start();
  ServeUntilStopped(signals, engine);

  // A probe in flight may take up to its timeout; do not let it hold shutdown past ~1 s.
  server.Stop();
  auto stopped = std::async(std::launch::async, [&engine] { engine.Stop(); });
  if (stopped.wait_for(std::chrono::milliseconds(900)) != std::future_status::ready) {
    log::Warn("Collection still running at shutdown; exiting without waiting for it");
    std::fflush(nullptr);
    ::_exit(kExitOk);
  }
  log::Info("Stopped");
  return kExitOk;
}

}  // namespace portwarden::app
