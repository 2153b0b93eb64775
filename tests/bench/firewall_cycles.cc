// The firewall stage's cost against the inventory's own warm cycle, in the same run.
// Loads a 2,000-rule ruleset (ports, prefixes, a named set, user chains) into the namespace at
// argv[1] (made by the caller: `ip netns add pwfwbench`) through libnftables, then times, per
// cycle: a warm Inventory::Scan() of this host (which sees the namespace's 10,000 wildcard TCP
// listeners the benchmark opens there), FirewallStage::Assess on that scan with the
// ruleset unchanged (steady state: setns + the generation id, cached verdicts), then again
// after adding a rule (changed: setns + `list ruleset` JSON + ParseNftJson + every listener
// judged). Prints medians and ratios. Usage: firewall_cycles /run/netns/pwfwbench [cycles]
// [--legacy]. With --legacy the same mix of rules is loaded as legacy iptables (x_tables)
// rules by `iptables-legacy-restore` (the benchmark's only use of that binary; the agent reads
// the kernel directly), the nftables ruleset is empty, and "changed" appends a rule with
// `iptables-legacy`: steady then costs the legacy tables' read and digest every cycle.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nftables/libnftables.h>

#include "agent/config/config.h"
#include "agent/core/unique_fd.h"
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

// The same mix as Ruleset() in iptables-restore format (multiport rules of 10 ports stand in
// for the named set).
std::string LegacyRuleset() {
  std::string text = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  text += ":users - [0:0]\n-A users ! -s 10.0.0.0/8 -j RETURN\n-A users -j ACCEPT\n";
  text +=
      "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n";
  for (int i = 0; i < 1975; ++i) {
    const std::string port = std::to_string(1000 + i);
    switch (i % 4) {
      case 0:
        text += "-A INPUT -p tcp --dport " + port + " -j ACCEPT\n";
        break;
      case 1:
        text += "-A INPUT -s " + std::to_string(1 + i % 200) + "." + std::to_string(i % 250) +
                ".0.0/16 -j DROP\n";
        break;
      case 2:
        text += "-A INPUT -s 10.0.0.0/8 -p tcp --dport " + port + " -j ACCEPT\n";
        break;
      default:
        text += "-A INPUT -p tcp --dport " + port + " -j users\n";
    }
  }
  for (int i = 0; i < 20; ++i) {
    std::string ports;
    for (int k = 0; k < 10; ++k) {
      ports += (k > 0 ? "," : "") + std::to_string(20000 + 10 * i + k);
    }
    text += "-A INPUT -p tcp -m multiport --dports " + ports + " -j ACCEPT\n";
  }
  return text + "COMMIT\n";
}

// Runs `command` inside the namespace at `path` with `input` on its stdin.
Status InNamespaceRun(const std::string& path,
                      const std::string& command,
                      const std::string& input) {
  FILE* pipe = ::popen(("nsenter --net=" + path + " " + command).c_str(), "w");
  if (pipe == nullptr) {
    return Fail("popen " + command);
  }
  std::fwrite(input.data(), 1, input.size(), pipe);
  return ::pclose(pipe) == 0 ? Status{} : Status(Fail(command + " failed"));
}

Status Load(const std::string& commands) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  const int rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
  nft_ctx_free(ctx);
  return rc == 0 ? Status{} : Status(Fail("nft load failed"));
}

constexpr int kListeners = 10'000;

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
  const bool legacy = argc > 3 && std::string(argv[3]) == "--legacy";
  const Status loaded = legacy ? InNamespaceRun(path, "iptables-legacy-restore", LegacyRuleset())
                               : inventory::InNamespaceAt(path, [&]() { return Load(Ruleset()); });
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    return 1;
  }
  // 10,000 real wildcard TCP listeners in that namespace, so the inventory's warm cycle and
  // the firewall stage judge the same listeners.
  const rlimit files{kListeners + 1024, kListeners + 1024};
  ::setrlimit(RLIMIT_NOFILE, &files);
  std::vector<UniqueFd> sockets;
  // libnftables' commit path select()s on its socket: keep low descriptors free for it.
  std::vector<UniqueFd> low;
  for (int i = 0; i < 64; ++i) {
    low.emplace_back(::dup(0));
  }
  const Status opened = inventory::InNamespaceAt(path, [&]() -> Status {
    for (int i = 0; i < kListeners; ++i) {
      UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<std::uint16_t>(1000 + i));
      if (!fd.valid() ||
          ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
          ::listen(fd.get(), 1) != 0) {
        return Fail("listener " + std::to_string(1000 + i) + ": " + std::strerror(errno));
      }
      sockets.push_back(std::move(fd));
    }
    return {};
  });
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  low.clear();
  firewall::FirewallStage stage;
  inventory::Inventory inventory(inventory::InventorySettingsFrom(config::Defaults()));
  inventory.Scan();                // cold scan, not measured
  stage.Assess(inventory.Scan());  // first read and evaluation, not measured
  std::vector<double> steady, steady_read, changed, changed_read, warm;
  std::size_t rules = 0, steady_reads = 0, steady_evaluated = 0, changed_evaluated = 0;
  for (int c = 0; c < cycles; ++c) {
    // Steady state: the ruleset is as in the last cycle.
    const auto start = std::chrono::steady_clock::now();
    const auto scan = inventory.Scan();
    warm.push_back(Seconds(start));
    if (c == 0) {
      std::printf("inventory: %zu listeners in %zu namespaces\n", scan.listeners.size(),
                  scan.namespaces.size());
    }
    auto report = stage.Assess(scan);
    steady.push_back(report.read_seconds + report.evaluate_seconds);
    steady_read.push_back(report.read_seconds);
    steady_reads += report.rulesets_read;
    steady_evaluated += report.listeners_evaluated;
    // Changed: one rule added (a new generation), so everything is read and judged again.
    const Status edited = legacy ? InNamespaceRun(path, "iptables-legacy -w -A users", "")
                                 : inventory::InNamespaceAt(path, [&]() -> Status {
                                     return Load("add rule inet bench users counter\n");
                                   });
    if (!edited) {
      std::fprintf(stderr, "%s\n", edited.error().message.c_str());
      return 1;
    }
    report = stage.Assess(scan);
    changed.push_back(report.read_seconds + report.evaluate_seconds);
    changed_read.push_back(report.read_seconds);
    changed_evaluated += report.listeners_evaluated;
    for (const auto& ns : report.namespaces) {
      rules = std::max(rules, ns.rules);
    }
  }
  const double s = Median(steady), sr = Median(steady_read), x = Median(changed),
               xr = Median(changed_read), w = Median(warm);
  std::printf("ruleset (%s): %zu rules; listeners in it: %d\n",
              legacy ? "legacy iptables" : "nftables", rules, kListeners);
  std::printf(
      "steady cycle    %8.3f ms (read %.3f ms; %zu rulesets read, %zu listeners judged "
      "in %d cycles)\n",
      s * 1e3, sr * 1e3, steady_reads, steady_evaluated, cycles);
  std::printf("changed cycle   %8.2f ms (read %.2f ms; %zu listeners judged in %d cycles)\n",
              x * 1e3, xr * 1e3, changed_evaluated, cycles);
  std::printf("inventory warm  %8.2f ms\n", w * 1e3);
  std::printf("RATIO steady firewall / inventory warm cycle = %.3fx\n", s / w);
  std::printf("RATIO changed-ruleset firewall / inventory warm cycle = %.2fx (read %.2fx)\n", x / w,
              xr / w);
  return 0;
}
