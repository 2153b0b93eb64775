#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/firewall/listener_verdicts.h"
#include "agent/firewall/nft_generation.h"
#include "agent/firewall/verdict.h"
#include "agent/inventory/listener.h"

namespace portwarden::firewall {

/// Which ruleset a namespace holds: its nftables generation (with the namespace's cookie) and
/// the digest of its legacy iptables tables (legacy_tables.h), which have no generation.
struct RulesetVersion {
  RulesetGeneration nft;
  std::array<std::uint8_t, 32> legacy{};
  bool operator==(const RulesetVersion&) const = default;
};

/// One namespace's read. `version`: what it was read at, when the nftables generation could
/// be had. `unchanged`: the version is the `known` one the stage asked about, so the ruleset
/// was not listed or translated again (`ruleset` is then not meaningful).
struct RulesetRead {
  std::optional<RulesetVersion> version;
  bool unchanged = false;
  NamespaceRuleset ruleset;
};

/// Reads one namespace's ruleset unless its version is still `known` (the version of the
/// ruleset the stage holds for it; none: read it). The default enters the namespace (the
/// inventory's setns), asks nf_tables for the generation, reads the legacy tables' entries
/// (cheap: one copy from the kernel and a digest), and lists the nftables ruleset through
/// libnftables and translates the legacy tables only when either changed; tests and
/// benchmarks pass their own.
using RulesetSource = std::function<RulesetRead(const inventory::NamespaceView& view,
                                                std::optional<RulesetVersion> known)>;

/// Reads the netfilter ruleset of every scanned namespace that has listeners, then judges
/// each listener's input path. A namespace the agent could not enter (read through a member
/// process's /proc/<pid>/net) gets `unknown` verdicts with the reason. Logs each unmodelled
/// match or unreadable ruleset reason once.
///
/// Steady state: a namespace whose version (generation and legacy tables), addresses and interfaces
/// are as in the last cycle keeps its parsed ruleset and its listeners' verdicts; only new
/// listeners are evaluated. Any change in a namespace re-evaluates its listeners; any change in a
/// namespace with DNAT publications re-evaluates every listener. Not thread-safe: the
/// inventory job runs it.
class FirewallStage {
 public:
  FirewallStage();

  explicit FirewallStage(RulesetSource source) : source_(std::move(source)) {}

  FirewallReport Assess(const inventory::InventoryReport& inventory);

 private:
  /// What the verdicts of one namespace's listeners depend on, besides the publishers.
  struct NamespaceState {
    std::optional<RulesetVersion> version;  ///< Of the held ruleset, when reusable.
    std::uint64_t epoch = 0;                ///< Changes with anything the verdicts depend on.
    bool publishes = false;                 ///< Its ruleset has DNAT publications.
    inventory::NamespaceView view;          ///< As last seen.
    std::uint64_t seen = 0;                 ///< The last cycle that had it.
  };

  struct ListenerKey {
    std::string netns;
    std::string address;
    std::uint16_t port = 0;
    Protocol protocol = Protocol::kTcp;
    AddressFamily family = AddressFamily::kIpv4;
    std::optional<bool> v6only;
    bool operator==(const ListenerKey&) const = default;
  };

  struct ListenerKeyHash {
    std::size_t operator()(const ListenerKey& key) const;
  };

  struct CachedVerdict {
    std::uint64_t epoch = 0;  ///< Its namespace's epoch when evaluated.
    ListenerFirewall verdict;
  };

  void LogOnce(const std::string& netns, const std::string& reason);
  /// Reads (or keeps) one namespace's ruleset; returns its status for the report.
  NamespaceFirewall Refresh(const inventory::NamespaceView& view, FirewallReport& report);
  void Judge(const inventory::InventoryReport& inventory, FirewallReport& report);

  RulesetSource source_;
  std::set<std::string> logged_;
  Rulesets rulesets_;                              ///< By namespace inode, kept across cycles.
  std::map<std::uint64_t, NamespaceState> state_;  ///< By namespace inode.
  std::unordered_map<ListenerKey, CachedVerdict, ListenerKeyHash> verdicts_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> publishers_;  ///< (inode, epoch)
  std::uint64_t next_epoch_ = 1;
  std::uint64_t cycle_ = 0;
};

/// The default RulesetSource: setns into `view.path` (not for "host"), the nf_tables
/// generation (NFT_MSG_GETGEN) and the legacy tables (ReadLegacyTables), and unless both are
/// as `known`, libnftables JSON, ParseNftJson and the legacy tables' translation.
RulesetRead ReadNamespaceRuleset(const inventory::NamespaceView& view,
                                 std::optional<RulesetVersion> known);

}  // namespace portwarden::firewall
