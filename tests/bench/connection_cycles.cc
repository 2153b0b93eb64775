// Times, in one process and the same namespace: the inventory's warm cycle (Inventory::Scan()
// again, no watched ports), the filtered connection dump it adds per namespace
// (DumpEstablished on the watched ports; also into the agent's ConnectionCounter, as a scan
// counts it), and an unfiltered dump of every established TCP
// socket for reference. Best of CYCLES each. Prints one JSON object. Used by
// connection_dump_bench.py; not a test.
//   connection_cycles PORT [CYCLES]
#include <cstdio>
#include <cstdlib>

#include "agent/config/config.h"
#include "agent/inventory/connection_counter.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/netlink_socket_source.h"
#include "tests/bench/cycle_timer.h"

int main(int argc, char** argv) {
  using namespace portwarden;
  using bench::Best;
  using bench::Sample;
  if (argc < 2) {
    std::fprintf(stderr, "usage: connection_cycles PORT [CYCLES]\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  const int cycles = argc > 2 ? std::atoi(argv[2]) : 7;
  auto config = config::Defaults();
  config.discovery.namespaces = config::NamespaceMode::kHost;
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config));
  auto scan = inventory.Scan();  // cold, not timed
  std::size_t listeners = scan.listeners.size();
  const Sample warm = Best(cycles, [&] { listeners = inventory.Scan().listeners.size(); });
  const std::uint64_t netns = scan.namespaces.empty() ? 0 : scan.namespaces[0].inode;

  auto source = inventory::NetlinkSocketSource::Open();
  if (!source) {
    std::fprintf(stderr, "%s\n", source.error().message.c_str());
    return 1;
  }
  const auto run = [&](std::vector<inventory::LocalPortRange> ports, long& count) {
    count = 0;
    const auto status = (*source)->DumpEstablished(
        ports, [&](std::span<const inventory::RawSocket> batch) { count += batch.size(); });
    if (!status) {
      std::fprintf(stderr, "%s\n", status.error().message.c_str());
      std::exit(1);
    }
  };
  long filtered_count = 0;
  long all_count = 0;
  const Sample filtered = Best(cycles, [&] { run({{port, port}}, filtered_count); });
  const Sample all = Best(cycles, [&] { run({{0, 65535}}, all_count); });
  // What the agent pays: the same dump into its ConnectionCounter (the scan's listeners on
  // the port, counts by peer scope).
  const std::vector<inventory::LocalPortRange> watched{{port, port}};
  long counted = 0;
  const Sample agent = Best(cycles, [&] {
    inventory::ConnectionCounter counter(scan.listeners, netns, watched, {});
    const auto status = (*source)->DumpEstablished(
        watched, [&](std::span<const inventory::RawSocket> batch) { counter.Add(batch); });
    if (!status) {
      std::fprintf(stderr, "%s\n", status.error().message.c_str());
      std::exit(1);
    }
    counted = counter.counted();
  });
  // The same walk when no socket is on the watched port: the in-kernel filter's floor.
  long none_count = 0;
  const Sample none = Best(cycles, [&] { run({{1, 1}}, none_count); });
  std::printf(
      "{\"listeners\":%zu,\"warm_wall\":%.6f,\"warm_cpu\":%.6f,\"filtered_wall\":%.6f,"
      "\"filtered_cpu\":%.6f,\"filtered_sockets\":%ld,\"all_wall\":%.6f,\"all_cpu\":%.6f,"
      "\"all_sockets\":%ld,\"none_wall\":%.6f,\"none_cpu\":%.6f,\"none_sockets\":%ld,"
      "\"counted_wall\":%.6f,\"counted_cpu\":%.6f,\"counted_sockets\":%ld}\n",
      listeners, warm.wall, warm.cpu, filtered.wall, filtered.cpu, filtered_count, all.wall,
      all.cpu, all_count, none.wall, none.cpu, none_count, agent.wall, agent.cpu, counted);
  return 0;
}
