#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "agent/firewall/interval_set.h"

/// The netfilter ruleset as the evaluator needs it: a small model built by the pure parser
/// (nft_json.h) from `nft -j list ruleset` output. Only what the evaluator decides on is kept;
/// anything else becomes an `Unmodelled` statement naming what it was.
namespace portwarden::firewall {

/// Table families. Only ip, ip6 and inet filter IP packets on the hooks we evaluate.
enum class TableFamily : std::uint8_t { kIp, kIp6, kInet, kOther };

/// The hooks of the path a new inbound connection takes.
enum class Hook : std::uint8_t { kPrerouting, kInput, kForward, kOther };

/// What a match looks at. Payload fields carry their implicit dependency (a `tcp dport`
/// match never matches UDP, an `ip saddr` match never matches IPv6).
enum class MatchKey : std::uint8_t {
  kSaddr4,
  kDaddr4,
  kSaddr6,
  kDaddr6,
  kTcpDport,
  kUdpDport,
  kL4proto,
  kNfproto,
  kIifname,  ///< iif and iifname: JSON prints both as the interface name
  kCtState,
  /// oif and oifname (iptables `-o`): known only on the forward path of a DNAT'd connection
  /// (the interface that routes to the DNAT destination); elsewhere the path is unknown.
  kOifname,
  /// `fib daddr type local` / `-m addrtype --dst-type LOCAL`: the destination is one of the
  /// namespace's own addresses. No right-hand side.
  kDaddrLocal,
};

/// One element of a match's right-hand side: a number/address interval or a name.
struct Element {
  bool is_name = false;
  std::string name;         ///< interface glob ("eth*"), ct state, protocol name
  Interval interval{0, 0};  ///< ports, protocol numbers, addresses (IPv4 in the low 32 bits)
};

using Elements = std::vector<Element>;

/// `left op right`. Only == (set membership included) and != are modelled.
struct Match {
  MatchKey key = MatchKey::kTcpDport;
  bool negate = false;
  std::shared_ptr<const Elements> right;  ///< shared with the named set it came from
  IntervalSet values;  ///< the numeric elements of `right`, normalised once by the parser
};

/// A verdict statement.
struct VerdictStmt {
  enum class Kind : std::uint8_t { kAccept, kDrop, kReject, kJump, kGoto, kReturn, kContinue };
  Kind kind = Kind::kAccept;
  std::string target;  ///< chain name for jump/goto
};

/// `dnat to addr[:port]` (IPv4 or IPv6 literal); port 0 keeps the packet's port.
struct DnatStmt {
  Interval address{0, 0};
  bool ipv6 = false;
  std::uint16_t port = 0;
};

/// A statement with no effect on the verdict (counter, log).
struct NopStmt {};

/// Anything the evaluator does not model; a path reaching it is `unknown`.
struct Unmodelled {
  std::string what;  ///< e.g. "xt match conntrack", "meta mark", "limit"
};

using Statement = std::variant<Match, VerdictStmt, DnatStmt, NopStmt, Unmodelled>;

struct Rule {
  std::vector<Statement> statements;
};

struct Chain {
  std::string name;
  bool base = false;
  Hook hook = Hook::kOther;
  std::string type;  ///< "filter", "nat", "route"
  int priority = 0;
  bool policy_drop = false;
  std::vector<Rule> rules;
};

struct Table {
  TableFamily family = TableFamily::kOther;
  std::string name;
  std::vector<Chain> chains;
  std::map<std::string, std::size_t> chain_index;  ///< name → index in chains
};

/// One namespace's ruleset.
struct Ruleset {
  std::vector<Table> tables;
  std::size_t rule_count = 0;
  /// A set or map has elements that time out or that rules add from the packet path: its
  /// contents change without a new ruleset generation, so the ruleset is read every cycle.
  bool volatile_sets = false;
};

}  // namespace portwarden::firewall
