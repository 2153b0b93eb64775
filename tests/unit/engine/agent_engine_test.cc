// The AgentEngine with fake stages and a fake clock (no network, no kernel): reloads, the
// inventory → discovery → prober hand-off, readiness, and a failing collector as data.
#include "agent/engine/agent_engine.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "agent/core/log.h"
#include "tests/lib/fake_clock.h"
#include "tests/unit/engine/fake_stages.h"

namespace portwarden::engine {
namespace {

using namespace std::chrono_literals;

/// Polls `ready` for up to 10 s of real time (generous: the machine may be loaded).
template <typename Ready>
bool Eventually(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

config::Config TestConfig(Duration scan_interval, Duration probe_interval) {
  config::Config config = config::Defaults();
  config.agent.scan_interval = scan_interval;
  config.agent.probe_interval = probe_interval;
  config.agent.jitter = 0;
  config.discovery.enabled = true;
  config.discovery.tls_ports = {443};
  return config;
}

inventory::Listener TcpListener(const std::string& address, std::uint16_t port) {
  inventory::Listener listener;
  listener.protocol = Protocol::kTcp;
  listener.family = AddressFamily::kIpv4;
  listener.address = address;
  listener.port = port;
  listener.netns = "host";
  return listener;
}

const state::CollectorStatus* FindCollector(const state::Snapshot& snapshot,
                                            const std::string& name) {
  for (const auto& collector : snapshot.collectors) {
    if (collector.name == name) {
      return &collector;
    }
  }
  return nullptr;
}

/// An engine over fakes; the loader answers with whatever `next_config` holds.
struct Harness {
  explicit Harness(config::Config config) {
    // As the daemon does (main.cc), before any thread logs: the logger is set up once.
    log::Setup(log::Level::kError, log::Format::kLogfmt);
    auto inventory_stage = std::make_unique<testing::FakeInventory>();
    auto prober_stage = std::make_unique<testing::FakeProber>();
    inventory = inventory_stage.get();
    prober = prober_stage.get();
    engine = std::make_unique<AgentEngine>(std::move(config),
                                           EngineStages{.config_source = "test.toml",
                                                        .load_config = [this] { return loader(); },
                                                        .inventory = std::move(inventory_stage),
                                                        .prober = std::move(prober_stage)},
                                           store, clock);
  }

  std::function<Result<config::Config>()> loader = [] { return config::Defaults(); };
  portwarden::testing::FakeClock clock;
  state::SnapshotStore store;
  testing::FakeInventory* inventory = nullptr;
  testing::FakeProber* prober = nullptr;
  std::unique_ptr<AgentEngine> engine;
};

TEST(AgentEngineTest, ReloadSwapsTheWholeConfigAtOnceAndABadOneKeepsTheOld) {
  // Two configs whose fields agree with each other; a reader must never see a mix.
  const auto make = [](int seconds, std::size_t endpoints) {
    config::Config config =
        TestConfig(std::chrono::seconds(seconds), std::chrono::seconds(seconds));
    for (std::size_t i = 0; i < endpoints; ++i) {
      config::EndpointConfig endpoint;
      endpoint.target = endpoint.host = "e" + std::to_string(i) + ".test";
      endpoint.port = 443;
      config.endpoints.push_back(endpoint);
    }
    return config;
  };
  Harness h(make(11, 1));
  std::atomic<int> calls{0};
  h.loader = [&]() -> Result<config::Config> {
    return ++calls % 2 == 0 ? make(11, 1) : make(22, 2);
  };
  h.engine->Start();
  std::atomic<bool> stop{false};
  std::atomic<int> mixed{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const auto config = h.engine->CurrentConfig();
        const bool a = config->agent.scan_interval == 11s && config->agent.probe_interval == 11s &&
                       config->endpoints.size() == 1;
        const bool b = config->agent.scan_interval == 22s && config->agent.probe_interval == 22s &&
                       config->endpoints.size() == 2;
        mixed += (a || b) ? 0 : 1;
        ++reads;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(h.engine->Reload().has_value());
  }
  ASSERT_TRUE(Eventually([&] { return reads.load() > 1000; }));
  stop = true;
  for (auto& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(mixed.load(), 0);

  const auto before = h.engine->CurrentConfig();
  h.loader = []() -> Result<config::Config> { return Fail("test.toml:3: unknown key \"x\""); };
  const Status status = h.engine->Reload();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "test.toml:3: unknown key \"x\"");
  EXPECT_EQ(h.engine->CurrentConfig(), before);  // the very same config object
  EXPECT_FALSE(h.store.Get()->reload.last_successful);
  EXPECT_EQ(h.store.Get()->reload.last_error, "test.toml:3: unknown key \"x\"");

  h.loader = [&]() -> Result<config::Config> { return make(22, 2); };
  ASSERT_TRUE(h.engine->Reload().has_value());
  EXPECT_TRUE(h.store.Get()->reload.last_successful);
  EXPECT_EQ(h.engine->CurrentConfig()->endpoints.size(), 2U);
  h.engine->Stop();
}

TEST(AgentEngineTest, ANewTlsListenerIsProbedWithoutWaitingForTheProbeInterval) {
  Harness h(TestConfig(10s, 1h));
  h.engine->Start();
  // Both jobs ran once and wait on the fake clock.
  ASSERT_TRUE(Eventually([&] { return h.clock.waits() >= 2 && h.prober->cycles().size() == 1; }));
  EXPECT_TRUE(h.prober->cycles()[0].empty());

  h.inventory->SetReport(testing::Report(true, "", {TcpListener("0.0.0.0", 443)}));
  h.clock.Advance(10s);  // the scan interval only: the probe job's hour is far off
  ASSERT_TRUE(Eventually([&] { return h.prober->cycles().size() >= 2; }));
  const auto cycle = h.prober->cycles()[1];
  ASSERT_EQ(cycle.size(), 1U);
  EXPECT_EQ(cycle[0].endpoint.target, "127.0.0.1:443");
  EXPECT_EQ(cycle[0].source, probe::TargetSource::kDiscovered);
  h.engine->Stop();
}

TEST(AgentEngineTest, TheFirstProbeCycleBurstsAndTheNextOnesSpreadAndAReloadInterrupts) {
  config::Config config = TestConfig(1h, 60s);
  config.agent.probe_spread = 40s;
  Harness h(config);
  h.loader = [config] { return config; };
  h.engine->Start();
  ASSERT_TRUE(Eventually([&] { return h.prober->settings().size() == 1; }));
  EXPECT_EQ(h.prober->settings()[0].spread, Duration(0));  // so /-/ready comes quickly
  ASSERT_TRUE(Eventually([&] { return h.clock.waits() >= 2; }));
  h.clock.Advance(60s);
  ASSERT_TRUE(Eventually([&] { return h.prober->settings().size() >= 2; }));
  EXPECT_EQ(h.prober->settings()[1].spread, Duration(40s));
  EXPECT_EQ(h.prober->interrupts.load(), 0);
  ASSERT_TRUE(h.engine->Reload());
  EXPECT_EQ(h.prober->interrupts.load(), 1);
  h.engine->Stop();
}

TEST(AgentEngineTest, ReadyOnlyAfterTheFirstInventoryAndTheFirstProbeCycle) {
  Harness h(TestConfig(1h, 1h));
  h.inventory->gate.Close();
  h.prober->gate.Close();
  EXPECT_FALSE(h.engine->Ready());
  h.engine->Start();
  h.prober->gate.Open();
  ASSERT_TRUE(Eventually([&] { return FindCollector(*h.store.Get(), "tls") != nullptr; }));
  EXPECT_FALSE(h.engine->Ready());  // probes are in, the inventory is not
  h.inventory->gate.Open();
  EXPECT_TRUE(Eventually([&] { return h.engine->Ready(); }));
  h.engine->Stop();
}

TEST(AgentEngineTest, NotReadyWhileTheFirstProbeCycleRuns) {
  Harness h(TestConfig(1h, 1h));
  h.prober->gate.Close();
  h.engine->Start();
  ASSERT_TRUE(Eventually([&] { return FindCollector(*h.store.Get(), "inventory") != nullptr; }));
  EXPECT_FALSE(h.engine->Ready());  // the inventory is in, the probes are not
  h.prober->gate.Open();
  EXPECT_TRUE(Eventually([&] { return h.engine->Ready(); }));
  h.engine->Stop();
}

TEST(AgentEngineTest, AFailingCollectorIsDataAndTheOtherJobKeepsPublishing) {
  Harness h(TestConfig(1h, 10s));
  h.inventory->SetReport(testing::Report(false, "netlink: Operation not permitted"));
  h.engine->Start();
  ASSERT_TRUE(Eventually([&] {
    const auto snapshot = h.store.Get();
    return FindCollector(*snapshot, "inventory") && FindCollector(*snapshot, "tls") &&
           h.clock.waits() >= 2;
  }));
  const auto first = h.store.Get();
  const auto* inventory = FindCollector(*first, "inventory");
  EXPECT_FALSE(inventory->success);
  EXPECT_EQ(inventory->error, "netlink: Operation not permitted");
  EXPECT_FALSE(FindCollector(*first, "exposure")->success);
  EXPECT_TRUE(FindCollector(*first, "tls")->success);
  const double first_probe = FindCollector(*first, "tls")->timestamp;

  h.clock.Advance(10s);  // the probe interval: the tls job runs again, the inventory does not
  ASSERT_TRUE(Eventually([&] { return h.prober->cycles().size() >= 2; }));
  ASSERT_TRUE(Eventually(
      [&] { return FindCollector(*h.store.Get(), "tls")->timestamp >= first_probe + 10; }));
  EXPECT_EQ(h.inventory->scans(), 1);
  EXPECT_FALSE(FindCollector(*h.store.Get(), "inventory")->success);
  EXPECT_TRUE(h.engine->Ready());  // a failed scan is still a scan: the agent is ready
  h.engine->Stop();
}

}  // namespace
}  // namespace portwarden::engine
