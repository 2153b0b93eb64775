#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/firewall/ruleset.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"

namespace portwarden::firewall {

/// One namespace's ruleset as read: the model (nftables tables and the legacy iptables tables
/// translated next to them), or why there is none (then every verdict in that namespace is
/// unknown with that reason). `legacy_v4_error`/`legacy_v6_error`: why that family's legacy
/// tables could not be read or translated (then that family's verdicts are unknown).
struct NamespaceRuleset {
  Result<Ruleset> ruleset = Fail("not read");
  std::string legacy_v4_error;
  std::string legacy_v6_error;
};

/// Rulesets by namespace inode.
using Rulesets = std::map<std::uint64_t, NamespaceRuleset>;

/// The verdicts for every listener (result[i] belongs to listeners[i]): a public and a private
/// source class each, through its namespace's input path, plus, for a listener that a DNAT
/// rule of another namespace (the host, usually) publishes, that namespace's prerouting and
/// forward path from its own interfaces (the listener then takes that namespace's reach). Pure.
std::vector<ListenerFirewall> EvaluateListeners(
    std::span<const inventory::Listener> listeners,
    std::span<const inventory::NamespaceView> namespaces,
    const Rulesets& rulesets);

/// EvaluateListeners for some of them: result[k] belongs to listeners[indices[k]] (the other
/// rest are not judged). Pure.
std::vector<ListenerFirewall> EvaluateListenersAt(
    std::span<const inventory::Listener> listeners,
    std::span<const inventory::NamespaceView> namespaces,
    const Rulesets& rulesets,
    std::span<const std::size_t> indices);

}  // namespace portwarden::firewall
