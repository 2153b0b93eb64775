#pragma once

#include <span>
#include <string>
#include <vector>

#include "agent/config/baseline.h"
#include "agent/config/config.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"

/// The approved baseline as pure functions: the match key, the diff, and the file's text.
namespace portwarden::policy {

/// The namespace part of the baseline key, one that survives a reboot: "host" or the
/// namespace's name (/run/netns) when it has one; an unnamed namespace (its label is
/// "net:[inode]" or "procnet:[inode]", which changes at each boot) is named by its owner's
/// unit or container, "unit:<unit>", else "unnamed".
std::string NetnsIdentity(const inventory::Listener& listener);

/// Whether `entry` approves `listener`: same namespace identity, protocol, bind address and
/// port, and the same process name when the entry names one.
bool Approves(const config::BaselineEntry& entry, const inventory::Listener& listener);

/// A listener's firewall verdicts as the baseline records them: "public:drop private:accept".
std::string FirewallVerdictText(const firewall::ListenerFirewall& verdicts);

/// result[i]: listeners[i] is in no entry of `baseline`.
std::vector<bool> Unapproved(const config::Baseline& baseline,
                             std::span<const inventory::Listener> listeners);

/// The baseline file for `listeners` (TOML, reviewable): a header comment, then one
/// `[[listener]]` per key in a stable order (namespace, proto, address, port, process), with
/// the owner's unit, the reach and the exposure verdict for the reviewer. Listeners sharing
/// a key (the same bind on two devices) are written once. `verdicts` may be shorter (none).
/// `firewall` (result[i] for listeners[i]; may be shorter, none without the firewall stage)
/// adds each listener's firewall verdict, `verdict = "public:accept private:drop"`.
std::string BaselineText(std::span<const inventory::Listener> listeners,
                         std::span<const Verdict> verdicts,
                         const std::string& host,
                         const std::string& saved_at,
                         std::span<const firewall::ListenerFirewall> firewall = {});

}  // namespace portwarden::policy
