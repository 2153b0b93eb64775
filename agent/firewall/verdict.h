#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/net_types.h"

/// The firewall stage's output: plain data carried in the snapshot (exporters read it).
namespace portwarden::firewall {

/// What the input path does to a new connection: accept, drop (drop or reject), or unknown
/// (a rule on the path uses a match the evaluator does not model, or the ruleset could not be
/// read). Ordered so that a worse reach compares greater.
enum class Verdict : std::uint8_t { kDrop, kUnknown, kAccept };

/// "accept" | "drop" | "unknown".
std::string_view VerdictName(Verdict verdict);

/// The verdicts for one listener, for a representative public and private source.
struct ListenerFirewall {
  Verdict from_public = Verdict::kUnknown;
  Verdict from_private = Verdict::kUnknown;
  /// Published by a DNAT rule of the host namespace (container port publishing): the listener
  /// takes the host interfaces' reach, `published_scope`.
  bool published = false;
  Scope published_scope = Scope::kLoopback;
  std::string reason;  ///< Why a verdict is unknown (first reason), else empty.
};

/// How one namespace's ruleset was read.
struct NamespaceFirewall {
  std::string netns;
  bool readable = false;
  std::string reason;  ///< Why not, when !readable.
  std::size_t rules = 0;
};

/// The firewall stage's report for one inventory scan: listeners[i] belongs to
/// inventory.listeners[i]. Empty when the stage is off.
struct FirewallReport {
  bool enabled = false;
  std::vector<ListenerFirewall> listeners;
  std::vector<NamespaceFirewall> namespaces;
  double read_seconds = 0;
  double evaluate_seconds = 0;
  std::size_t rulesets_read = 0;        ///< Listed and parsed (generation new or not reusable).
  std::size_t listeners_evaluated = 0;  ///< Not taken from the last cycle's verdicts.
};

/// Effective reach = bind reach × verdict (published listeners start from the host's reach):
/// a reach whose source class the firewall drops falls to the next class it lets in (public
/// → private → loopback). Unknown never narrows: never guess in the listener's favour.
Scope EffectiveScope(Scope bind_scope, const ListenerFirewall& firewall);

}  // namespace portwarden::firewall
