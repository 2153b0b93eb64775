// The firewall stage's cost against the inventory's own warm cycle, in the same run.
// Loads a 2,000-rule ruleset (ports, prefixes, a named set, user chains) into the namespace at
// argv[1] (made by the caller: `ip netns add pwfwbench`) through libnftables, then times, per
// cycle: the ruleset read (setns + `list ruleset` JSON + ParseNftJson) and the evaluation of
// 10,000 synthetic wildcard listeners in that namespace; and a warm Inventory::Scan() of this
// host. Prints each and their ratio. Usage: firewall_cycles /run/netns/pwfwbench [cycles]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nftables/libnftables.h>

#include "agent/config/config.h"
#include "agent/firewall/firewall.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/netns_enter.h"

using namespace portwarden;

namespace {

std::string Ruleset() {
  std::string text =
      "flush ruleset\ntable inet bench {\n set ports { type inet_service; elements = { ";
  for (int i = 0; i < 200; ++i) {
    text += std::to_string(20000 + i) + (i + 1 < 200 ? ", " : " }\n }\n");
  }
  text += " chain users { ip saddr != 10.0.0.0/8 return\n accept\n }\n";
  text += " chain input { type filter hook input priority 0; policy drop;\n";
  text += "  ct state established,related accept\n iif \"lo\" accept\n";
  for (int i = 0; i < 1995; ++i) {
    switch (i % 4) {
      case 0:
        text += "  tcp dport " + std::to_string(1000 + i) + " accept\n";
        break;
      case 1:
        text += "  ip saddr " + std::to_string(1 + i % 200) + "." + std::to_string(i % 250) +
                ".0.0/16 drop\n";
        break;
      case 2:
        text += "  ip saddr 10.0.0.0/8 tcp dport " + std::to_string(1000 + i) + " accept\n";
        break;
      default:
        text += "  tcp dport " + std::to_string(1000 + i) + " jump users\n";
    }
  }
  text += "  tcp dport @ports accept\n }\n}\n";
  return text;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s /run/netns/NAME [cycles]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const int cycles = argc > 2 ? std::atoi(argv[2]) : 5;
  const Status loaded = inventory::InNamespaceAt(path, [&]() -> Status {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    const int rc = nft_run_cmd_from_buffer(ctx, Ruleset().c_str());
    nft_ctx_free(ctx);
    return rc == 0 ? Status{} : Status(Fail("nft load failed"));
  });
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    return 1;
  }
  inventory::InventoryReport synthetic;
  inventory::NamespaceView view{"bench", 1, true, {}, {"lo", "eth0"}, path};
  IpAddress address;
  address.bytes = {198, 20, 0, 1};
  view.addresses.push_back(address);
  synthetic.namespaces.push_back(view);
  for (int i = 0; i < 10'000; ++i) {
    inventory::Listener listener;
    listener.netns = "bench";
    listener.address = "0.0.0.0";
    listener.port = static_cast<std::uint16_t>(1000 + i);
    synthetic.listeners.push_back(listener);
  }
  // Everything in the synthetic namespace: the view is not "host", so reads enter it.
  firewall::FirewallStage stage;
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config::Defaults()));
  inventory.Scan();  // cold scan, not measured
  std::vector<double> read, evaluate, warm;
  std::size_t rules = 0;
  for (int c = 0; c < cycles; ++c) {
    const auto report = stage.Assess(synthetic);
    read.push_back(report.read_seconds);
    evaluate.push_back(report.evaluate_seconds);
    rules = report.namespaces.empty() ? 0 : report.namespaces[0].rules;
    const auto start = std::chrono::steady_clock::now();
    const auto scan = inventory.Scan();
    warm.push_back(Seconds(start));
    if (c == 0) {
      std::printf("inventory: %zu listeners in %zu namespaces\n", scan.listeners.size(),
                  scan.namespaces.size());
    }
  }
  const double r = Median(read), e = Median(evaluate), w = Median(warm);
  std::printf("ruleset: %zu rules; listeners: %zu\n", rules, synthetic.listeners.size());
  std::printf("ruleset read    %8.2f ms\nevaluation      %8.2f ms\ninventory warm  %8.2f ms\n",
              r * 1e3, e * 1e3, w * 1e3);
  std::printf("firewall / inventory warm cycle = %.2fx (read %.2fx, evaluation %.2fx)\n",
              (r + e) / w, r / w, e / w);
  return 0;
}
