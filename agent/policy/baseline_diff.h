#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/config/baseline.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"

/// What changed since the approved baseline (`portwarden baseline save`, `inventory.baseline`),
/// as the audit report lists it (exporters/report renders it). Pure functions over a baseline
/// and one scan's listeners, no I/O; the match is Approves (baseline.h), so the report and the
/// agent's portwarden_listener_unapproved agree on what is new.
namespace portwarden::policy {

/// added: present now, in no entry of the baseline (what the agent flags unapproved).
/// removed: an entry of the baseline that no listener matches now.
/// changed: matched, but the owner (unit), reach or verdict differ from what the baseline
/// recorded for the reviewer (compared only where the baseline records them).
enum class ChangeKind : std::uint8_t { kAdded, kRemoved, kChanged };

/// "added" | "removed" | "changed".
const char* ChangeKindName(ChangeKind kind);

/// One difference. For added and changed, the fields are the listener's as seen now; for
/// removed, the baseline entry's (an absent field is "").
struct ListenerChange {
  ChangeKind kind = ChangeKind::kAdded;
  std::optional<std::size_t> listener;  ///< index into the scan's listeners; none for removed
  std::string netns;                    ///< namespace identity (NetnsIdentity, baseline.h)
  Protocol protocol = Protocol::kTcp;
  std::string address;  ///< bind address, as in the baseline ("0.0.0.0", "::")
  std::uint16_t port = 0;
  std::string process;  ///< comm; "" for an entry that approves any process
  std::string unit;
  std::string reach;
  std::string verdict;  ///< "ok" | "violation" | "" (unknown)
  std::string detail;   ///< changed: "unit: a -> b; reach: private -> public"; line for removed
};

/// Changes since a baseline, for the report. `configured` false: no baseline in force.
struct BaselineChanges {
  bool configured = false;
  std::string baseline;  ///< which baseline ("/etc/portwarden/baseline.toml, 12 entries")
  /// Why the comparison is partial (the file could not be read here, so only the agent's
  /// unapproved flags are known); "" when complete.
  std::string problem;
  std::vector<ListenerChange> changes;  ///< added and changed in scan order, then removed
};

/// Compares the listeners of one scan (verdicts[i] ↔ listeners[i]; verdicts may be empty)
/// with `baseline`. `firewall` (firewall[i] ↔ listeners[i]; empty without the firewall
/// stage) is compared with the verdicts the file records.
BaselineChanges CompareWithBaseline(const config::Baseline& baseline,
                                    const std::vector<inventory::Listener>& listeners,
                                    const PolicyReport& policy,
                                    std::span<const firewall::ListenerFirewall> firewall = {});

/// The part known without the file: the listeners the agent flagged unapproved
/// (policy.unapproved, may be empty), as added; `baseline` names the file, `problem` says
/// why removed and changed are missing.
BaselineChanges ChangesFromUnapprovedFlags(const std::vector<inventory::Listener>& listeners,
                                           const PolicyReport& policy,
                                           std::string baseline,
                                           std::string problem);

/// "host tcp 0.0.0.0:8443 sshd": one change as one line of text.
std::string ChangeListenerText(const ListenerChange& change);

}  // namespace portwarden::policy
