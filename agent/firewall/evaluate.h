#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/net_types.h"
#include "agent/firewall/interval_set.h"
#include "agent/firewall/ruleset.h"
#include "agent/firewall/verdict.h"

/// The firewall verdict as a pure function: ruleset + a class of new connections → verdict.
namespace portwarden::firewall {

/// A DNAT destination the evaluation follows: a path rewritten to one of `addresses` and
/// `port` goes on through the forward hook (it is for another namespace) instead of input.
struct DnatTarget {
  IntervalSet addresses;
  std::uint16_t port = 0;
};

/// Every new inbound connection of one kind: sources in a class, to the listener's
/// addresses and port, arriving on any of the namespace's non-loopback interfaces.
struct PacketClass {
  bool ipv6 = false;
  Protocol protocol = Protocol::kTcp;
  std::uint16_t port = 0;  ///< Evaluate(); EvaluatePorts() takes `ports` instead
  IntervalSet ports;
  IntervalSet sources;
  IntervalSet destinations;
  std::vector<std::string> interfaces;  ///< candidate input interfaces ("lo" excluded), ≤ 64
  std::optional<DnatTarget> dnat;       ///< set when evaluating a published port
  /// The namespace's own addresses of the family (`fib daddr type local`, addrtype LOCAL).
  IntervalSet local;
  /// With `dnat`: the interface that routes to the DNAT destination (`oifname` on the
  /// forward path); empty when it could not be determined (an oifname match is then unknown).
  std::string output_interface;
};

/// The verdict for the class: accept when some connection of the class is accepted on a path
/// that uses only modelled matches; unknown when none is but some path hit an unmodelled
/// match (named in `reason`); drop when every connection is dropped, rejected or redirected.
struct Evaluation {
  Verdict verdict = Verdict::kDrop;
  std::string reason;
};

Evaluation Evaluate(const Ruleset& ruleset, const PacketClass& packets);

/// The verdicts of every destination port in `packets.ports` at once, from one walk: a port
/// is just another part of the path, split by dport matches as addresses are by address
/// matches. Not for DNAT targets (`packets.dnat` must be unset).
struct PortEvaluation {
  IntervalSet accepted;
  std::vector<std::pair<IntervalSet, std::string>> unknown;  ///< in the order met
  /// The verdict of one port (its first unknown reason).
  Evaluation At(std::uint16_t port) const;
};

PortEvaluation EvaluatePorts(const Ruleset& ruleset, const PacketClass& packets);

/// The representative source classes: public = every unicast address outside the private,
/// CGNAT, loopback, link-local, "this network" and multicast/reserved blocks (2000::/3 for
/// IPv6); private = 10/8, 172.16/12, 192.168/16, 100.64/10 (fc00::/7 for IPv6).
IntervalSet PublicSources(bool ipv6);
IntervalSet PrivateSources(bool ipv6);

/// The published ports of the host ruleset: a `dnat to addr[:port]` whose rule matches one
/// tcp/udp destination port, in a nat prerouting base chain or a user chain it reaches by
/// jump or goto (Docker's `DOCKER` chain).
struct Publication {
  Protocol protocol = Protocol::kTcp;
  std::uint16_t public_port = 0;
  bool ipv6 = false;
  U128 address = 0;
  std::uint16_t port = 0;  ///< the rewritten port (public_port when the rule keeps it)
};

std::vector<Publication> Publications(const Ruleset& ruleset);

}  // namespace portwarden::firewall
