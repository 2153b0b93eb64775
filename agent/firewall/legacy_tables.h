#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "agent/core/error.h"
#include "agent/firewall/listener_verdicts.h"
#include "agent/firewall/xt_image.h"

namespace portwarden::firewall {

/// A namespace's legacy iptables tables of both families as read (images, or why they could
/// not be), with a digest of everything read: legacy tables have no generation id, so an
/// unchanged digest (SHA-256 over names, hook offsets and entries with counters zeroed, and
/// any error) is what says they are unchanged.
struct LegacyRead {
  Result<std::vector<XtTableImage>> v4 = std::vector<XtTableImage>{};
  Result<std::vector<XtTableImage>> v6 = std::vector<XtTableImage>{};
  std::array<std::uint8_t, 32> digest{};
};

/// Reads both families in the calling thread's namespace (ReadXtTables, one budget of
/// kMaxXtNamespaceBytes for both: over it, both families fail with that error) and digests them.
LegacyRead ReadLegacyTables();

/// The digest of `read.v4` and `read.v6`. Pure.
std::array<std::uint8_t, 32> LegacyDigest(const LegacyRead& read);

/// Translates `read`'s tables into `target.ruleset` (when it holds one) next to the nftables
/// tables, so one walk judges both, each hook's chains in priority order, as the kernel runs
/// them; a family whose tables could not be read or translated gets its
/// `target.legacy_v4_error` / `legacy_v6_error` instead (its verdicts are then unknown).
void AddLegacyTables(const LegacyRead& read, NamespaceRuleset& target);

}  // namespace portwarden::firewall
