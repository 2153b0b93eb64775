// Publications are found where the kernel would meet them: a DNAT in a nat prerouting base
// chain or in a user chain reached from one by jump or goto (Docker's rules jump from
// PREROUTING, on `addrtype --dst-type LOCAL`, to its `DOCKER` chain, which holds one DNAT per
// published port). Whether a connection really reaches the DNAT is the evaluator's to judge;
// this only names the candidates.
#include <deque>
#include <set>

#include "agent/firewall/evaluate.h"

namespace portwarden::firewall {
namespace {

// The one destination port a match names, if it is a positive single-port dport match.
std::optional<Publication> PortOf(const Match& match) {
  if (match.negate || match.right->size() != 1 ||
      (match.key != MatchKey::kTcpDport && match.key != MatchKey::kUdpDport)) {
    return std::nullopt;
  }
  const Element& element = match.right->front();
  if (element.is_name || element.interval.lo != element.interval.hi) {
    return std::nullopt;
  }
  return Publication{match.key == MatchKey::kTcpDport ? Protocol::kTcp : Protocol::kUdp,
                     static_cast<std::uint16_t>(element.interval.lo), false, 0, 0};
}

void AddFromRule(const Rule& rule, std::vector<Publication>& out) {
  std::optional<Publication> found;
  for (const auto& statement : rule.statements) {
    if (const auto* match = std::get_if<Match>(&statement)) {
      if (auto port = PortOf(*match)) {
        found = port;
      }
    }
    const auto* dnat = std::get_if<DnatStmt>(&statement);
    if (dnat != nullptr && found) {
      found->ipv6 = dnat->ipv6;
      found->address = dnat->address.lo;
      found->port = dnat->port != 0 ? dnat->port : found->public_port;
      out.push_back(*found);
    }
  }
}

// The chains of `table` a nat prerouting base chain runs: itself and what it jumps or goes to.
std::set<std::size_t> PreroutingChains(const Table& table) {
  std::set<std::size_t> seen;
  std::deque<std::size_t> queue;
  for (std::size_t c = 0; c < table.chains.size(); ++c) {
    const Chain& chain = table.chains[c];
    if (chain.base && chain.hook == Hook::kPrerouting && chain.type == "nat") {
      seen.insert(c);
      queue.push_back(c);
    }
  }
  while (!queue.empty()) {
    const std::size_t c = queue.front();
    queue.pop_front();
    for (const Rule& rule : table.chains[c].rules) {
      for (const auto& statement : rule.statements) {
        const auto* verdict = std::get_if<VerdictStmt>(&statement);
        if (verdict == nullptr || (verdict->kind != VerdictStmt::Kind::kJump &&
                                   verdict->kind != VerdictStmt::Kind::kGoto)) {
          continue;
        }
        const auto it = table.chain_index.find(verdict->target);
        if (it != table.chain_index.end() && seen.insert(it->second).second) {
          queue.push_back(it->second);
        }
      }
    }
  }
  return seen;
}

}  // namespace

std::vector<Publication> Publications(const Ruleset& ruleset) {
  std::vector<Publication> out;
  for (const Table& table : ruleset.tables) {
    for (const std::size_t c : PreroutingChains(table)) {
      for (const Rule& rule : table.chains[c].rules) {
        AddFromRule(rule, out);
      }
    }
  }
  return out;
}

}  // namespace portwarden::firewall
