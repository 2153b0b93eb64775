#include <algorithm>
#include <string>

#include "agent/firewall/verdict.h"
#include "exporters/prometheus/listener_labels.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void AppendFirewallMetrics(const state::Snapshot& snapshot, Families& out) {
  const auto& firewall = *snapshot.firewall;
  const auto& inventory = *snapshot.inventory;
  if (!firewall.enabled) {
    return;
  }
  auto verdict = Gauge("portwarden_listener_firewall_verdict",
                       "1 per listener and source class: what the netfilter input path does to a "
                       "new connection from a representative public or private source (accept, "
                       "drop, or unknown when a rule uses an unmodelled match).");
  const std::size_t n =
      std::min({inventory.listeners.size(), firewall.listeners.size(), inventory.stats.series_cap});
  for (std::size_t i = 0; i < n; ++i) {
    const auto& verdicts = firewall.listeners[i];
    for (const auto& [from, value] :
         {std::pair{"public", verdicts.from_public}, std::pair{"private", verdicts.from_private}}) {
      LabelList labels = ListenerLabels(inventory.listeners[i]);
      labels.push_back({"from", from});
      labels.push_back({"verdict", std::string(firewall::VerdictName(value))});
      verdict.Add(std::move(labels), 1);
    }
  }
  verdict.MoveInto(out);
  auto readable = Gauge("portwarden_firewall_ruleset_readable",
                        "1 when the namespace's netfilter ruleset was read: nftables (libnftables) "
                        "and its legacy iptables tables; 0 when not (no CAP_NET_ADMIN, namespace "
                        "not enterable, ruleset over 8 MiB, a legacy table over 16 MiB or "
                        "malformed, legacy tables over 32 MiB in all): its verdicts are unknown.");
  for (const auto& netns : firewall.namespaces) {
    readable.Add({{"netns", netns.netns}}, netns.readable ? 1 : 0);
  }
  readable.MoveInto(out);
}

}  // namespace portwarden::exporters::prom
