// The evaluator follows every path a class of new connections can take through the base
// chains, in hook and priority order. A path carries what is still possible about its packets:
// the source and destination address sets and the input interfaces. Each address or interface
// match splits a path exactly into the part that matches and the part that does not, so the
// result is what the kernel would do for *some* connection of the class (accept), for none
// (drop), or cannot be told because a path met a match the model lacks (unknown).
#include "agent/firewall/evaluate.h"

#include <algorithm>
#include <tuple>

namespace portwarden::firewall {
namespace {

constexpr std::size_t kMaxJumpDepth = 16;  // the kernel's own limit on nested jumps

struct Path {
  IntervalSet sources;
  IntervalSet destinations;
  std::uint64_t interfaces = 0;  // bit i = PacketClass::interfaces[i]
  IntervalSet ports;
  bool dnatted = false;
};

struct Frame {
  std::size_t chain = 0;
  std::size_t rule = 0;
};

struct Cursor {
  Path path;
  std::size_t chain = 0;
  std::size_t rule = 0;
  std::vector<Frame> stack;
};

// Where a match sends a path: all of it matches, none of it, it splits in two, or it cannot
// be told (an output interface that is not known).
enum class Side : std::uint8_t { kYes, kNo, kBoth, kUnknown };

bool ContainsValue(const Elements& elements, U128 value) {
  return std::any_of(elements.begin(), elements.end(), [&](const Element& e) {
    return !e.is_name && e.interval.lo <= value && value <= e.interval.hi;
  });
}

bool ContainsName(const Elements& elements, std::string_view name) {
  return std::any_of(elements.begin(), elements.end(), [&](const Element& e) {
    if (!e.is_name) {
      return false;
    }
    if (!e.name.empty() && e.name.back() == '*') {  // nft's interface-name wildcard
      return name.substr(0, e.name.size() - 1) ==
             std::string_view(e.name).substr(0, e.name.size() - 1);
    }
    return e.name == name;
  });
}

class Walker {
 public:
  Walker(const Ruleset& ruleset, const PacketClass& packets)
      : ruleset_(ruleset), packets_(packets) {}

  PortEvaluation Run();

 private:
  struct Stage {
    Hook hook;
    int priority;
    std::size_t table;
    std::size_t chain;
  };

  std::vector<Stage> Stages() const;
  void RunBase(const Stage& stage, Path path, std::vector<Path>& accepted);
  bool RunRule(const Table& table,
               Cursor& cursor,
               bool policy_drop,
               std::vector<Cursor>& work,
               std::vector<Path>& accepted);
  Side SplitOn(const Match& match, Path& path, Path& other) const;
  bool Step();
  void Push(std::vector<Cursor>& work, Cursor cursor) const;
  void MarkUnknown(const std::string& what, const IntervalSet& ports);

  const Ruleset& ruleset_;
  const PacketClass& packets_;
  std::size_t steps_ = 0;
  std::size_t max_steps_ = 0;
  std::vector<std::pair<IntervalSet, std::string>> unknown_;
};

void Walker::MarkUnknown(const std::string& what, const IntervalSet& ports) {
  // A DNAT'd path carries the rewritten port; its verdict is the published port's.
  unknown_.emplace_back(packets_.dnat ? packets_.ports : ports, what);
}

// Counts one rule visited; false once the budget is spent.
bool Walker::Step() {
  if (++steps_ > max_steps_) {
    MarkUnknown("evaluation budget exceeded (" + std::to_string(max_steps_) + " rule visits)",
                packets_.ports);
    return false;
  }
  return true;
}

// Splits `path` by `match`: on kBoth, `path` keeps the matching part and `other` gets the rest.
// Queues a path. One that waits at the same place with the same sources, destinations and
// interfaces as a queued one joins it (their ports are united): a port that jumped to a user
// chain and returned then walks the rest of the chain with the others, not on its own.
void Walker::Push(std::vector<Cursor>& work, Cursor cursor) const {
  constexpr std::size_t kLookBack = 8;
  for (std::size_t i = work.size(), seen = 0; i-- > 0 && seen < kLookBack; ++seen) {
    Cursor& queued = work[i];
    const bool same = queued.chain == cursor.chain && queued.rule == cursor.rule &&
                      queued.path.dnatted == cursor.path.dnatted &&
                      queued.path.interfaces == cursor.path.interfaces &&
                      queued.stack.size() == cursor.stack.size() &&
                      std::equal(queued.stack.begin(), queued.stack.end(), cursor.stack.begin(),
                                 [](const Frame& a, const Frame& b) {
                                   return a.chain == b.chain && a.rule == b.rule;
                                 }) &&
                      queued.path.sources == cursor.path.sources &&
                      queued.path.destinations == cursor.path.destinations;
    if (same && !packets_.dnat) {
      queued.path.ports = queued.path.ports.Union(cursor.path.ports);
      return;
    }
  }
  work.push_back(std::move(cursor));
}

Side Walker::SplitOn(const Match& match, Path& path, Path& other) const {
  const Elements& right = *match.right;
  const auto decided = [&](bool matches) {
    return matches != match.negate ? Side::kYes : Side::kNo;
  };
  const auto split_on = [&](IntervalSet Path::*field, const IntervalSet& set) {
    IntervalSet in = (path.*field).Intersect(set);
    if (in.empty()) {
      return match.negate ? Side::kYes : Side::kNo;
    }
    IntervalSet out = (path.*field).Subtract(set);
    if (match.negate) {
      std::swap(in, out);
    }
    if (in.empty() || out.empty()) {
      return in.empty() ? Side::kNo : Side::kYes;
    }
    other = path;
    other.*field = std::move(out);
    path.*field = std::move(in);
    return Side::kBoth;
  };
  const auto split = [&](IntervalSet Path::*field) { return split_on(field, match.values); };
  const auto region = [&](IntervalSet Path::*field, bool wants_v6) {
    // The implicit nfproto dependency fails: no match, negated or not.
    return wants_v6 != packets_.ipv6 ? Side::kNo : split(field);
  };
  switch (match.key) {
    case MatchKey::kSaddr4:
    case MatchKey::kSaddr6:
      return region(&Path::sources, match.key == MatchKey::kSaddr6);
    case MatchKey::kDaddr4:
    case MatchKey::kDaddr6:
      return region(&Path::destinations, match.key == MatchKey::kDaddr6);
    case MatchKey::kTcpDport:
    case MatchKey::kUdpDport: {
      const Protocol wanted = match.key == MatchKey::kTcpDport ? Protocol::kTcp : Protocol::kUdp;
      return wanted != packets_.protocol ? Side::kNo : split(&Path::ports);
    }
    case MatchKey::kL4proto:
      return decided(ContainsValue(right, packets_.protocol == Protocol::kTcp ? 6 : 17));
    case MatchKey::kNfproto:
      return decided(ContainsName(right, packets_.ipv6 ? "ipv6" : "ipv4"));
    case MatchKey::kCtState:
      return decided(ContainsName(right, "new"));
    case MatchKey::kDaddrLocal:
      return split_on(&Path::destinations, packets_.local);
    case MatchKey::kOifname:
      // Only a DNAT'd path has a route, through the interface that holds its destination.
      if (!path.dnatted || packets_.output_interface.empty()) {
        return Side::kUnknown;
      }
      return decided(ContainsName(right, packets_.output_interface));
    case MatchKey::kIifname: {
      std::uint64_t in = 0;
      for (std::size_t i = 0; i < packets_.interfaces.size() && i < 64; ++i) {
        if (ContainsName(right, packets_.interfaces[i])) {
          in |= std::uint64_t{1} << i;
        }
      }
      in = (match.negate ? ~in : in) & path.interfaces;
      const std::uint64_t out = path.interfaces & ~in;
      if (in == 0 || out == 0) {
        return in == 0 ? Side::kNo : Side::kYes;
      }
      other = path;
      other.interfaces = out;
      path.interfaces = in;
      return Side::kBoth;
    }
  }
  return Side::kNo;
}

// Runs one rule's statements on the cursor's path. Returns true when the path (what is left
// of it) falls through to the next rule; forks and chain changes go to `work`.
bool Walker::RunRule(const Table& table,
                     Cursor& cursor,
                     bool policy_drop,
                     std::vector<Cursor>& work,
                     std::vector<Path>& accepted) {
  const Rule& rule = table.chains[cursor.chain].rules[cursor.rule];
  Path& path = cursor.path;
  const auto enter = [&](const std::string& target, bool push) {
    const auto it = table.chain_index.find(target);
    if (it == table.chain_index.end() || cursor.stack.size() >= kMaxJumpDepth) {
      MarkUnknown("jump to an unknown chain or too deep", path.ports);
      return false;
    }
    if (push) {
      cursor.stack.push_back({cursor.chain, cursor.rule + 1});
    }
    Push(work, {std::move(path), it->second, 0, std::move(cursor.stack)});
    return false;
  };
  for (const auto& statement : rule.statements) {
    if (const auto* match = std::get_if<Match>(&statement)) {
      Path rest;
      const Side side = SplitOn(*match, path, rest);
      if (side == Side::kNo) {
        return true;
      }
      if (side == Side::kUnknown) {
        MarkUnknown("oifname where the output interface is not known", path.ports);
        return false;
      }
      if (side == Side::kBoth) {
        Push(work, {std::move(rest), cursor.chain, cursor.rule + 1, cursor.stack});
      }
    } else if (const auto* verdict = std::get_if<VerdictStmt>(&statement)) {
      using K = VerdictStmt::Kind;
      switch (verdict->kind) {
        case K::kAccept:
          accepted.push_back(std::move(path));
          return false;
        case K::kDrop:
        case K::kReject:
          return false;
        case K::kJump:
          return enter(verdict->target, true);
        case K::kGoto:
          return enter(verdict->target, false);
        case K::kContinue:
          return true;
        case K::kReturn:
          if (cursor.stack.empty()) {
            if (!policy_drop) {
              accepted.push_back(std::move(path));
            }
            return false;
          }
          const Frame frame = cursor.stack.back();
          cursor.stack.pop_back();
          Push(work, {std::move(path), frame.chain, frame.rule, std::move(cursor.stack)});
          return false;
      }
    } else if (const auto* dnat = std::get_if<DnatStmt>(&statement)) {
      const bool to_target = packets_.dnat && dnat->ipv6 == packets_.ipv6 &&
                             packets_.dnat->addresses.Contains(dnat->address.lo) &&
                             (dnat->port != 0 ? dnat->port == packets_.dnat->port
                                              : path.ports.Contains(packets_.dnat->port));
      if (to_target) {
        path.destinations = IntervalSet({dnat->address});
        path.ports = IntervalSet({{packets_.dnat->port, packets_.dnat->port}});
        path.dnatted = true;
        accepted.push_back(std::move(path));
      }
      return false;  // otherwise rewritten to somewhere else: it no longer reaches this listener
    } else if (const auto* unmodelled = std::get_if<Unmodelled>(&statement)) {
      MarkUnknown(unmodelled->what, path.ports);
      return false;
    }
  }
  return true;  // no verdict: on to the next rule
}

void Walker::RunBase(const Stage& stage, Path path, std::vector<Path>& accepted) {
  const Table& table = ruleset_.tables[stage.table];
  const bool policy_drop = table.chains[stage.chain].policy_drop;
  std::vector<Cursor> work;
  work.push_back({std::move(path), stage.chain, 0, {}});
  while (!work.empty()) {
    Cursor cursor = std::move(work.back());
    work.pop_back();
    for (;;) {
      if (!Step()) {
        return;
      }
      const Chain& chain = table.chains[cursor.chain];
      if (cursor.rule < chain.rules.size()) {
        if (!RunRule(table, cursor, policy_drop, work, accepted)) {
          break;
        }
        ++cursor.rule;
      } else if (!cursor.stack.empty()) {  // end of a jumped-to chain: back to the caller
        const Frame frame = cursor.stack.back();
        cursor.stack.pop_back();
        cursor.chain = frame.chain;
        cursor.rule = frame.rule;
        Push(work, std::move(cursor));
        break;
      } else {
        if (!policy_drop) {
          accepted.push_back(std::move(cursor.path));
        }
        break;
      }
    }
  }
}

std::vector<Walker::Stage> Walker::Stages() const {
  std::vector<Stage> stages;
  for (std::size_t t = 0; t < ruleset_.tables.size(); ++t) {
    const Table& table = ruleset_.tables[t];
    const bool applies = table.family == TableFamily::kInet ||
                         (table.family == TableFamily::kIp && !packets_.ipv6) ||
                         (table.family == TableFamily::kIp6 && packets_.ipv6);
    for (std::size_t c = 0; applies && c < table.chains.size(); ++c) {
      const Chain& chain = table.chains[c];
      const bool filters =
          chain.type == "filter" || (chain.type == "nat" && chain.hook == Hook::kPrerouting);
      if (chain.base && chain.hook != Hook::kOther && filters) {
        stages.push_back({chain.hook, chain.priority, t, c});
      }
    }
  }
  std::stable_sort(stages.begin(), stages.end(), [](const Stage& a, const Stage& b) {
    return std::tie(a.hook, a.priority) < std::tie(b.hook, b.priority);
  });
  return stages;
}

PortEvaluation Walker::Run() {
  // 16 visits per rule and per port class: a walk over all ports does the work of one walk
  // per port that leaves the main path (a jump that returns), bounded for hostile rulesets.
  max_steps_ = std::min<std::size_t>(16 * (ruleset_.rule_count + 64) * 64, 8'000'000);
  std::vector<Path> current;
  const std::size_t n = std::min<std::size_t>(packets_.interfaces.size(), 64);
  Path start{packets_.sources, packets_.destinations,
             n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1, packets_.ports, false};
  if (!start.sources.empty() && !start.destinations.empty() && start.interfaces != 0 &&
      !start.ports.empty()) {
    current.push_back(std::move(start));
  }
  for (const Stage& stage : Stages()) {
    std::vector<Path> next;
    for (auto& path : current) {
      // After prerouting a path goes to input, or to forward once DNAT sent it elsewhere.
      const bool skip = (stage.hook == Hook::kInput && path.dnatted) ||
                        (stage.hook == Hook::kForward && !path.dnatted);
      if (skip) {
        next.push_back(std::move(path));
      } else {
        RunBase(stage, std::move(path), next);
      }
    }
    current = std::move(next);
  }
  const bool want_dnat = packets_.dnat.has_value();
  std::vector<Interval> accepted;
  for (const Path& path : current) {
    if (path.dnatted == want_dnat) {
      // A DNAT target's verdict is about the published port, whatever it was rewritten to.
      const auto& ports = want_dnat ? packets_.ports.parts() : path.ports.parts();
      accepted.insert(accepted.end(), ports.begin(), ports.end());
    }
  }
  return {IntervalSet(std::move(accepted)), std::move(unknown_)};
}

IntervalSet Blocks(std::initializer_list<std::tuple<U128, int>> prefixes, int bits) {
  std::vector<Interval> parts;
  for (const auto& [address, length] : prefixes) {
    parts.push_back(IntervalSet::Prefix(address, length, bits));
  }
  return IntervalSet(std::move(parts));
}

constexpr U128 V4(unsigned a, unsigned b) {
  return (U128{a} << 24) | (U128{b} << 16);
}

}  // namespace

Evaluation PortEvaluation::At(std::uint16_t port) const {
  if (accepted.Contains(port)) {
    return {Verdict::kAccept, ""};
  }
  for (const auto& [ports, reason] : unknown) {
    if (ports.Contains(port)) {
      return {Verdict::kUnknown, reason};
    }
  }
  return {Verdict::kDrop, ""};
}

PortEvaluation EvaluatePorts(const Ruleset& ruleset, const PacketClass& packets) {
  return Walker(ruleset, packets).Run();
}

Evaluation Evaluate(const Ruleset& ruleset, const PacketClass& packets) {
  PacketClass one = packets;
  one.ports = IntervalSet({{packets.port, packets.port}});
  return Walker(ruleset, one).Run().At(packets.port);
}

IntervalSet PrivateSources(bool ipv6) {
  if (ipv6) {
    return Blocks({{U128{0xfc} << 120, 7}}, 128);
  }
  return Blocks({{V4(10, 0), 8}, {V4(172, 16), 12}, {V4(192, 168), 16}, {V4(100, 64), 10}}, 32);
}

IntervalSet PublicSources(bool ipv6) {
  if (ipv6) {
    return Blocks({{U128{0x2} << 124, 3}}, 128);
  }
  const IntervalSet all({{0, 0xffffffff}});
  return all.Subtract(PrivateSources(false))
      .Subtract(Blocks({{V4(0, 0), 8}, {V4(127, 0), 8}, {V4(169, 254), 16}, {V4(224, 0), 3}}, 32));
}

}  // namespace portwarden::firewall
