#include "agent/policy/baseline.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "agent/core/json_escape.h"

namespace portwarden::policy {
namespace {

using Key = std::tuple<std::string, int, std::string, int, std::string>;

Key KeyOf(const inventory::Listener& listener) {
  return {NetnsIdentity(listener), static_cast<int>(listener.protocol), listener.address,
          listener.port, listener.process.comm};
}

// A TOML basic string: JSON's escapes are valid TOML escapes (\uXXXX, \", \\, \n ...).
std::string Quoted(const std::string& text) {
  std::string out;
  AppendJsonQuoted(out, text);
  return out;
}

}  // namespace

std::string NetnsIdentity(const inventory::Listener& listener) {
  const std::string& label = listener.netns;
  if (!label.starts_with("net:[") && !label.starts_with("procnet:[")) {
    return label;
  }
  return listener.process.unit.empty() ? "unnamed" : "unit:" + listener.process.unit;
}

bool Approves(const config::BaselineEntry& entry, const inventory::Listener& listener) {
  return entry.port == listener.port && entry.protocol == listener.protocol &&
         entry.address == listener.address &&
         (!entry.process || *entry.process == listener.process.comm) &&
         entry.netns == NetnsIdentity(listener);
}

std::string FirewallVerdictText(const firewall::ListenerFirewall& verdicts) {
  return "public:" + std::string(firewall::VerdictName(verdicts.from_public)) +
         " private:" + std::string(firewall::VerdictName(verdicts.from_private));
}

std::vector<bool> Unapproved(const config::Baseline& baseline,
                             std::span<const inventory::Listener> listeners) {
  // Entries by port, so each listener compares against a handful, not the whole file.
  std::multimap<std::uint16_t, const config::BaselineEntry*> by_port;
  for (const auto& entry : baseline.entries) {
    by_port.emplace(entry.port, &entry);
  }
  std::vector<bool> out(listeners.size(), true);
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const auto [first, last] = by_port.equal_range(listeners[i].port);
    out[i] =
        std::none_of(first, last, [&](const auto& e) { return Approves(*e.second, listeners[i]); });
  }
  return out;
}

std::string BaselineText(std::span<const inventory::Listener> listeners,
                         std::span<const Verdict> verdicts,
                         const std::string& host,
                         const std::string& saved_at,
                         std::span<const firewall::ListenerFirewall> firewall) {
  std::vector<std::size_t> order(listeners.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return KeyOf(listeners[a]) < KeyOf(listeners[b]);
  });
  std::string out =
      "# portwarden baseline: the approved listeners of " + host + ", saved " + saved_at +
      ".\n"
      "# Written by `portwarden baseline save`; review it, delete what is not approved, and\n"
      "# point `inventory.baseline` or `portwarden scan --baseline` at it.\n"
      "# A listener is approved when an entry has its netns, proto, address, port and, when the\n"
      "# entry names one, process. unit, reach, verdict (the firewall's, from a\n"
      "# public and a private source), rule and exposure are for the reviewer only.\n"
      "# netns is \"host\", a named namespace, or \"unit:<unit>\" for an unnamed one.\n";
  std::set<Key> written;
  for (const std::size_t i : order) {
    const auto& l = listeners[i];
    if (!written.insert(KeyOf(l)).second) {
      continue;
    }
    out += "\n[[listener]]\n";
    out += "netns = " + Quoted(NetnsIdentity(l)) + "\n";
    out += "proto = \"" + std::string(ProtocolName(l.protocol)) + "\"\n";
    out += "address = " + Quoted(l.address) + "\n";
    out += "port = " + std::to_string(l.port) + "\n";
    if (!l.process.comm.empty()) {
      out += "process = " + Quoted(l.process.comm) + "\n";
    }
    if (!l.process.unit.empty()) {
      out += "unit = " + Quoted(l.process.unit) + "\n";
    }
    out += "reach = \"" + std::string(ScopeName(l.scope)) + "\"\n";
    if (i < firewall.size()) {
      out += "verdict = \"" + FirewallVerdictText(firewall[i]) + "\"\n";
    }
    if (i < verdicts.size()) {
      out += "rule = " + Quoted(verdicts[i].rule) + "\n";
      out += std::string("exposure = \"") + (verdicts[i].violation ? "violation" : "ok") + "\"\n";
    }
  }
  return out;
}

}  // namespace portwarden::policy
