// Times, in one process and the same namespace: the inventory's warm cycle (Inventory::Scan()
// again, no watched ports), the filtered connection dump it adds per namespace
// (DumpEstablished on the watched ports; also into the agent's ConnectionCounter, as a scan
// counts it), and an unfiltered dump of every established TCP
// socket for reference; and the scan's own connection phase (InventoryStats::
// connections_seconds) with the in-kernel tracker (BpfConnectionTracker, mode "bpf") and
// with the dump (connection_tracking_max = 0). Best of CYCLES each. Prints one JSON object.
// With CHURN > 0 it also times CHURN loopback connect/accept/close cycles to a watched port
// without and with the tracker attached (the per-connection cost of the tracepoint).
// Used by connection_dump_bench.py; not a test.
//   connection_cycles PORT [CYCLES] [CHURN]
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/config/config.h"
#include "agent/inventory/bpf_connection_tracker.h"
#include "agent/inventory/connection_counter.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/netlink_socket_source.h"
#include "tests/bench/cycle_timer.h"

namespace {

using portwarden::bench::Best;
using portwarden::bench::CpuSeconds;
using portwarden::bench::Sample;

// The connection phase of a scan with `port` watched, best of `cycles` after a first
// (seeding) scan; `mode` is the counting the scans used.
Sample ConnectionPhase(std::size_t tracking_max,
                       std::uint16_t port,
                       int cycles,
                       std::string& mode,
                       long& counted,
                       double& first) {
  auto config = portwarden::config::Defaults();
  config.discovery.namespaces = portwarden::config::NamespaceMode::kHost;
  config.inventory.connection_tracking_max = tracking_max;
  portwarden::inventory::Inventory inventory(portwarden::inventory::InventorySettingsFrom(config));
  inventory.SetWatchedPorts({{port, port}});
  const auto initial = inventory.Scan();
  first = initial.stats.connections_seconds;
  Sample best;
  for (int i = 0; i < cycles; ++i) {
    const double cpu = CpuSeconds();
    const auto report = inventory.Scan();
    const double phase = report.stats.connections_seconds;
    if (phase < best.wall) {
      // CPU of the whole scan: the phase's own CPU is not measured separately.
      best = {phase, CpuSeconds() - cpu};
    }
    mode = report.stats.connection_tracking;
    counted = report.stats.connections_seen;
  }
  return best;
}

// Seconds for `n` loopback connections to a listener on `port`: connect, accept, then both
// closed with an RST (SO_LINGER 0: no TIME_WAIT left to exhaust the port range).
double Churn(std::uint16_t port, int n) {
  const int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  ::setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(server, 128) != 0) {
    std::perror("churn listener");
    std::exit(1);
  }
  const linger reset{1, 0};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      std::perror("churn connect");
      std::exit(1);
    }
    const int accepted = ::accept(server, nullptr, nullptr);
    ::setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    ::setsockopt(accepted, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    ::close(accepted);
    ::close(client);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(server);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace portwarden;
  if (argc < 2) {
    std::fprintf(stderr, "usage: connection_cycles PORT [CYCLES] [CHURN]\n");
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
  // The scan's connection phase: tracker, then dump.
  std::string bpf_mode;
  std::string dump_mode;
  long bpf_counted = 0;
  long dump_counted = 0;
  double bpf_first = 0;
  double dump_first = 0;
  const Sample bpf = ConnectionPhase(262144, port, cycles, bpf_mode, bpf_counted, bpf_first);
  const Sample dump = ConnectionPhase(0, port, cycles, dump_mode, dump_counted, dump_first);
  // The per-connection cost of the attached tracepoint: rounds alternate without and with.
  const int churn = argc > 3 ? std::atoi(argv[3]) : 0;
  double churn_without = 1e9;
  double churn_with = 1e9;
  const auto churn_port = static_cast<std::uint16_t>(port + 1);
  // Rounds alternate which goes first (machine noise and the deferred freeing of a detached
  // tracker fall on both alike); the best of each.
  for (int round = 0; churn > 0 && round < 6; ++round) {
    const auto without = [&] { churn_without = std::min(churn_without, Churn(churn_port, churn)); };
    if (round % 2 == 0) {
      without();
    }
    {
      auto tracker = inventory::BpfConnectionTracker::Create(262144, {});
      if (!tracker) {
        std::fprintf(stderr, "%s\n", tracker.error().message.c_str());
        return 1;
      }
      if (auto seeded = (*tracker)->Watch(netns, "/proc/self/ns/net", {churn_port}); !seeded) {
        std::fprintf(stderr, "%s\n", seeded.error().message.c_str());
        return 1;
      }
      churn_with = std::min(churn_with, Churn(churn_port, churn));
    }
    if (round % 2 == 1) {
      without();
    }
  }
  std::printf(
      "{\"bpf_mode\":\"%s\",\"bpf_wall\":%.6f,\"bpf_scan_cpu\":%.6f,\"bpf_counted\":%ld,"
      "\"bpf_first\":%.6f,\"dump_mode\":\"%s\",\"dump_wall\":%.6f,\"dump_scan_cpu\":%.6f,"
      "\"dump_counted\":%ld,\"churn\":%d,\"churn_without\":%.6f,\"churn_with\":%.6f,",
      bpf_mode.c_str(), bpf.wall, bpf.cpu, bpf_counted, bpf_first, dump_mode.c_str(), dump.wall,
      dump.cpu, dump_counted, churn, churn_without, churn_with);
  std::printf(
      "\"listeners\":%zu,\"warm_wall\":%.6f,\"warm_cpu\":%.6f,\"filtered_wall\":%.6f,"
      "\"filtered_cpu\":%.6f,\"filtered_sockets\":%ld,\"all_wall\":%.6f,\"all_cpu\":%.6f,"
      "\"all_sockets\":%ld,\"none_wall\":%.6f,\"none_cpu\":%.6f,\"none_sockets\":%ld,"
      "\"counted_wall\":%.6f,\"counted_cpu\":%.6f,\"counted_sockets\":%ld}\n",
      listeners, warm.wall, warm.cpu, filtered.wall, filtered.cpu, filtered_count, all.wall,
      all.cpu, all_count, none.wall, none.cpu, none_count, agent.wall, agent.cpu, counted);
  return 0;
}
