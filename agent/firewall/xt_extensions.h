#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "agent/firewall/ruleset.h"

/// The x_tables extensions (matches and targets other than the standard and ERROR ones) the
/// translation models, each into the Ruleset's statements. Internal to xt_image.cc.
namespace portwarden::firewall {

/// One `struct xt_entry_match` or `xt_entry_target`: its name, revision and data (the bytes
/// after the 32-byte header, within the extension's own size).
struct XtExtension {
  std::string name;
  std::uint8_t revision = 0;
  std::span<const std::byte> data;
};

/// What the rule's ip part says about the protocol (multiport needs it).
struct XtProtocol {
  bool ipv6 = false;
  std::uint16_t number = 0;  ///< 0: any
  bool inverted = false;
};

/// A match statement over `elements` (values normalised as the JSON parser does).
Match MakeMatch(MatchKey key, bool negate, Elements elements);

/// A match that no packet of the class satisfies (or every one, negated).
Match NeverMatch();

/// Appends the statements of a match: tcp/udp (dport range), multiport (dports), conntrack
/// and state (ctstate), addrtype (`--dst-type LOCAL` only), comment (nothing); an Unmodelled "xt
/// match NAME …" for anything else or any option of those the model lacks (a source port, TCP flags
/// other than --syn …).
void AppendXtMatch(const XtExtension& match,
                   const XtProtocol& protocol,
                   std::vector<Statement>& out);

/// The statement of a named target: REJECT, LOG/NFLOG (no effect), DNAT to one address and
/// at most one port; an Unmodelled "xt target NAME" for anything else.
Statement XtTargetStatement(const XtExtension& target, bool ipv6);

}  // namespace portwarden::firewall
