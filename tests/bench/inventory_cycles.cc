// Times the inventory in-process, the way the daemon runs it: cycle 1 (cold caches), later
// cycles (warm: cached netns sockets and owners), and the bare kernel dump of the agent's own
// namespace for reference. Prints one JSON object. Used by inventory_bench.py; not a test.
//   inventory_cycles [CYCLES]
#include <cstdio>
#include <cstdlib>

#include "agent/config/config.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/netlink_socket_source.h"
#include "tests/bench/cycle_timer.h"

int main(int argc, char** argv) {
  using namespace portwarden;
  using bench::Sample;
  using bench::Time;
  const int cycles = argc > 1 ? std::atoi(argv[1]) : 5;
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config::Defaults()));
  std::size_t listeners = 0;
  int namespaces = 0;
  const Sample cold = Time([&] {
    const auto report = inventory.Scan();
    listeners = report.listeners.size();
    namespaces = report.stats.namespaces_scanned;
  });
  Sample warm;  // best of the warm cycles
  int sockets = 0;
  double warm_dump = 0;
  double warm_attribution = 0;
  for (int i = 1; i < cycles; ++i) {
    inventory::InventoryStats stats;
    const Sample s = Time([&] { stats = inventory.Scan().stats; });
    if (s.wall < warm.wall) {
      warm = s;
      sockets = stats.sockets;
      warm_dump = stats.dump_seconds;
      warm_attribution = stats.attribution_seconds;
    }
  }
  auto source = inventory::NetlinkSocketSource::Open();
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    return 1;
  }
  const Sample dump = bench::Best(cycles, [&] {
    (void)(*source)->Dump(Protocol::kTcp);
    (void)(*source)->Dump(Protocol::kUdp);
  });
  std::printf(
      "{\"listeners\":%zu,\"sockets\":%d,\"namespaces\":%d,\"cold_wall\":%.6f,"
      "\"cold_cpu\":%.6f,\"warm_wall\":%.6f,\"warm_cpu\":%.6f,\"host_dump_wall\":%.6f,"
      "\"host_dump_cpu\":%.6f,\"warm_dump_phase\":%.6f,\"warm_attribution_phase\":%.6f}\n",
      listeners, sockets, namespaces, cold.wall, cold.cpu, warm.wall, warm.cpu, dump.wall, dump.cpu,
      warm_dump, warm_attribution);
  return 0;
}
