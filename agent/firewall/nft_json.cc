// The one adapter around nlohmann::json: its exceptions (type errors on hostile input, which
// the accessors below avoid anyway) stop here, and the DOM never leaves this file.
#include "agent/firewall/nft_json.h"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/firewall/xt_extensions.h"

namespace portwarden::firewall {
namespace {

using nlohmann::json;

const json* Find(const json& object, const char* key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string String(const json& object, const char* key) {
  const json* value = Find(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::optional<std::int64_t> Integer(const json& value) {
  if (value.is_number_integer()) {
    return value.get<std::int64_t>();
  }
  return std::nullopt;
}

// An IPv4 or IPv6 literal as a number; `v6` says which.
std::optional<U128> Address(const std::string& text, bool& v6) {
  std::uint8_t bytes[16];
  if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    v6 = false;
    return AddressValue(bytes, 4);
  }
  if (::inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    v6 = true;
    return AddressValue(bytes, 16);
  }
  return std::nullopt;
}

bool IsAddressKey(MatchKey key) {
  return key == MatchKey::kSaddr4 || key == MatchKey::kDaddr4 || key == MatchKey::kSaddr6 ||
         key == MatchKey::kDaddr6;
}

std::optional<int> ProtocolNumber(const std::string& name) {
  static const std::pair<const char*, int> kNames[] = {
      {"icmp", 1},   {"igmp", 2},      {"tcp", 6},  {"udp", 17}, {"ipv6-icmp", 58}, {"icmpv6", 58},
      {"sctp", 132}, {"udplite", 136}, {"esp", 50}, {"ah", 51},  {"gre", 47}};
  for (const auto& [known, number] : kNames) {
    if (name == known) {
      return number;
    }
  }
  return std::nullopt;
}

// Parses the right-hand side of matches; named sets of the current table are looked up.
class ValueReader {
 public:
  ValueReader(const std::map<std::string, std::shared_ptr<const Elements>>& sets,
              std::size_t& element_budget)
      : sets_(sets), budget_(element_budget) {}

  // Appends the elements `value` stands for; an error names what could not be read.
  Status Read(MatchKey key, const json& value, Elements& out) const {
    if (budget_ == 0) {
      return Fail("too many set elements");
    }
    --budget_;
    if (const auto number = Integer(value)) {
      if (*number < 0) {
        return Fail("negative value");
      }
      out.push_back({false, "", {static_cast<U128>(*number), static_cast<U128>(*number)}});
      return {};
    }
    if (value.is_string()) {
      return ReadString(key, value.get<std::string>(), out);
    }
    if (value.is_array()) {  // a flag list: ct state ["established", "related"]
      for (const auto& item : value) {
        if (auto status = Read(key, item, out); !status) {
          return status;
        }
      }
      return {};
    }
    if (const json* set = Find(value, "set"); set != nullptr) {
      if (!set->is_array()) {
        return Read(key, *set, out);
      }
      for (const auto& item : *set) {
        if (auto status = Read(key, item, out); !status) {
          return status;
        }
      }
      return {};
    }
    if (const json* elem = Find(value, "elem"); elem != nullptr) {
      const json* val = Find(*elem, "val");
      return val != nullptr ? Read(key, *val, out) : Fail("elem without val");
    }
    if (const json* prefix = Find(value, "prefix"); prefix != nullptr && IsAddressKey(key)) {
      return ReadPrefix(*prefix, out);
    }
    if (const json* range = Find(value, "range");
        range != nullptr && range->is_array() && range->size() == 2) {
      return ReadRange(key, *range, out);
    }
    return Fail("value " + FirstKey(value));
  }

  static std::string FirstKey(const json& value) {
    return value.is_object() && !value.empty() ? value.begin().key() : value.type_name();
  }

 private:
  Status ReadString(MatchKey key, const std::string& text, Elements& out) const {
    if (!text.empty() && text[0] == '@') {
      const auto it = sets_.find(text.substr(1));
      if (it == sets_.end()) {
        return Fail("unknown set");
      }
      out.insert(out.end(), it->second->begin(), it->second->end());
      return {};
    }
    if (IsAddressKey(key)) {
      bool v6 = false;
      const auto address = Address(text, v6);
      if (!address) {
        return Fail("address");
      }
      out.push_back({false, "", {*address, *address}});
      return {};
    }
    if (key == MatchKey::kL4proto) {
      const auto number = ProtocolNumber(text);
      if (!number) {
        return Fail("protocol " + text);
      }
      out.push_back({false, "", {static_cast<U128>(*number), static_cast<U128>(*number)}});
      return {};
    }
    if (key == MatchKey::kIifname || key == MatchKey::kOifname || key == MatchKey::kCtState ||
        key == MatchKey::kNfproto) {
      out.push_back({true, text, {}});
      return {};
    }
    return Fail("name for a numeric field");  // e.g. a service name for a port
  }

  static Status ReadPrefix(const json& prefix, Elements& out) {
    bool v6 = false;
    const auto address = Address(String(prefix, "addr"), v6);
    const json* length = Find(prefix, "len");
    const auto bits = length != nullptr ? Integer(*length) : std::nullopt;
    if (!address || !bits || *bits < 0 || *bits > (v6 ? 128 : 32)) {
      return Fail("prefix");
    }
    out.push_back(
        {false, "", IntervalSet::Prefix(*address, static_cast<int>(*bits), v6 ? 128 : 32)});
    return {};
  }

  Status ReadRange(MatchKey key, const json& range, Elements& out) const {
    Elements ends;
    for (const auto& end : range) {
      if (!end.is_string() && !end.is_number_integer()) {
        return Fail("range end");
      }
      if (auto status = Read(key, end, ends); !status) {
        return status;
      }
    }
    if (ends.size() != 2 || ends[0].is_name || ends[1].is_name) {
      return Fail("range");
    }
    out.push_back({false, "", {ends[0].interval.lo, ends[1].interval.hi}});
    return {};
  }

  const std::map<std::string, std::shared_ptr<const Elements>>& sets_;
  std::size_t& budget_;
};

// The left-hand side of a match, or the name of what is not modelled.
std::optional<MatchKey> ReadKey(const json& left, std::string& unmodelled) {
  if (const json* payload = Find(left, "payload"); payload != nullptr) {
    const std::string protocol = String(*payload, "protocol");
    const std::string field = String(*payload, "field");
    static const std::tuple<const char*, const char*, MatchKey> kFields[] = {
        {"ip", "saddr", MatchKey::kSaddr4},    {"ip", "daddr", MatchKey::kDaddr4},
        {"ip6", "saddr", MatchKey::kSaddr6},   {"ip6", "daddr", MatchKey::kDaddr6},
        {"tcp", "dport", MatchKey::kTcpDport}, {"udp", "dport", MatchKey::kUdpDport}};
    for (const auto& [p, f, key] : kFields) {
      if (protocol == p && field == f) {
        return key;
      }
    }
    unmodelled = "payload " + protocol + " " + field;
    return std::nullopt;
  }
  if (const json* meta = Find(left, "meta"); meta != nullptr) {
    const std::string key = String(*meta, "key");
    if (key == "l4proto") {
      return MatchKey::kL4proto;
    }
    if (key == "nfproto") {
      return MatchKey::kNfproto;
    }
    if (key == "iif" || key == "iifname") {
      return MatchKey::kIifname;
    }
    if (key == "oif" || key == "oifname") {
      return MatchKey::kOifname;
    }
    unmodelled = "meta " + key;
    return std::nullopt;
  }
  if (const json* ct = Find(left, "ct"); ct != nullptr) {
    const std::string key = String(*ct, "key");
    if (key == "state") {
      return MatchKey::kCtState;
    }
    unmodelled = "ct " + key;
    return std::nullopt;
  }
  unmodelled = ValueReader::FirstKey(left);
  return std::nullopt;
}

// `fib daddr type local` (what iptables-nft prints `-m addrtype --dst-type LOCAL` as when it
// translates it natively): the only fib form modelled.
Statement ReadFib(const json& fib, const json& right, bool negate) {
  const json* flags = Find(fib, "flags");
  const bool daddr =
      flags != nullptr &&
      (flags->is_string() ? *flags == "daddr"
                          : flags->is_array() && flags->size() == 1 && (*flags)[0] == "daddr");
  if (String(fib, "result") != "type" || !daddr || !right.is_string() || right != "local") {
    return Unmodelled{"fib (other than daddr type local)"};
  }
  return Match{MatchKey::kDaddrLocal, negate, std::make_shared<const Elements>(), {}};
}

Statement ReadMatch(const json& match, const ValueReader& values) {
  const std::string op = String(match, "op");
  if (op != "==" && op != "!=" && op != "in") {
    return Unmodelled{"match op " + op};
  }
  std::string unmodelled;
  const json* left = Find(match, "left");
  const json* right = Find(match, "right");
  if (left == nullptr || right == nullptr) {
    return Unmodelled{"match without operands"};
  }
  if (const json* fib = Find(*left, "fib"); fib != nullptr && op != "in") {
    return ReadFib(*fib, *right, op == "!=");
  }
  const auto key = ReadKey(*left, unmodelled);
  if (!key) {
    return Unmodelled{unmodelled};
  }
  auto elements = std::make_shared<Elements>();
  if (auto status = values.Read(*key, *right, *elements); !status) {
    return Unmodelled{"match value (" + status.error().message + ")"};
  }
  std::vector<Interval> parts;
  for (const auto& element : *elements) {
    if (!element.is_name) {
      parts.push_back(element.interval);
    }
  }
  return Match{*key, op == "!=", std::move(elements), IntervalSet(std::move(parts))};
}

Statement ReadStatement(const json& statement, const ValueReader& values) {
  const std::string kind = ValueReader::FirstKey(statement);
  const json& body = statement.is_object() && !statement.empty() ? *statement.begin() : statement;
  using K = VerdictStmt::Kind;
  static const std::pair<const char*, K> kVerdicts[] = {
      {"accept", K::kAccept}, {"drop", K::kDrop},     {"reject", K::kReject},    {"jump", K::kJump},
      {"goto", K::kGoto},     {"return", K::kReturn}, {"continue", K::kContinue}};
  for (const auto& [name, verdict] : kVerdicts) {
    if (kind == name) {
      return VerdictStmt{verdict, String(body, "target")};
    }
  }
  if (kind == "match") {
    return ReadMatch(body, values);
  }
  if (kind == "counter" || kind == "log") {
    return NopStmt{};
  }
  if (kind == "dnat") {
    bool v6 = false;
    const auto address = Address(String(body, "addr"), v6);
    const json* port = Find(body, "port");
    const auto number = port != nullptr ? Integer(*port) : std::optional<std::int64_t>(0);
    if (!address || !number || *number < 0 || *number > 65535 || Find(body, "flags") != nullptr) {
      return Unmodelled{"dnat form"};
    }
    return DnatStmt{{*address, *address}, v6, static_cast<std::uint16_t>(*number)};
  }
  return Unmodelled{kind};  // `xt` expressions are read by AppendCompat
}

// nf_tables' family numbers (NFPROTO_*), as the rule dump carries them.
std::uint8_t FamilyNumber(const std::string& family) {
  static const std::pair<const char*, std::uint8_t> kFamilies[] = {
      {"inet", 1}, {"ip", 2}, {"arp", 3}, {"netdev", 5}, {"bridge", 7}, {"ip6", 10}};
  for (const auto& [name, number] : kFamilies) {
    if (family == name) {
      return number;
    }
  }
  return 0;
}

// The protocol a rule's earlier `meta l4proto` match fixes (multiport needs it).
XtProtocol RuleProtocol(const std::vector<Statement>& statements, bool ipv6) {
  for (const auto& statement : statements) {
    const auto* match = std::get_if<Match>(&statement);
    if (match != nullptr && match->key == MatchKey::kL4proto && match->right->size() == 1 &&
        !match->right->front().is_name &&
        match->right->front().interval.lo == match->right->front().interval.hi) {
      return {ipv6, static_cast<std::uint16_t>(match->right->front().interval.lo), match->negate};
    }
  }
  return {ipv6, 0, false};
}

// An `xt` expression from the kernel's blob at `index` of the rule's compat expressions.
void AppendCompat(const json& xt,
                  const std::vector<CompatExpression>* blobs,
                  std::size_t index,
                  const std::string& family,
                  std::vector<Statement>& out) {
  const std::string type = String(xt, "type"), name = String(xt, "name");
  const CompatExpression* blob =
      blobs != nullptr && index < blobs->size() ? &(*blobs)[index] : nullptr;
  const bool ipv6 = family == "ip6";
  if (blob == nullptr || blob->name != name || blob->target != (type == "target") ||
      (type != "match" && type != "target") || (family != "ip" && !ipv6)) {
    out.emplace_back(std::in_place_type<Unmodelled>, "xt " + type + " " + name);
    return;
  }
  const XtExtension extension{blob->name, blob->revision, blob->info};
  if (blob->target) {
    out.push_back(XtTargetStatement(extension, ipv6));
  } else {
    AppendXtMatch(extension, RuleProtocol(out, ipv6), out);
  }
}

TableFamily ReadFamily(const std::string& family) {
  return family == "ip"     ? TableFamily::kIp
         : family == "ip6"  ? TableFamily::kIp6
         : family == "inet" ? TableFamily::kInet
                            : TableFamily::kOther;
}

Hook ReadHook(const std::string& hook) {
  return hook == "prerouting" ? Hook::kPrerouting
         : hook == "input"    ? Hook::kInput
         : hook == "forward"  ? Hook::kForward
                              : Hook::kOther;
}

// A set or map whose elements change without a ruleset transaction: elements that time out,
// or that rules add from the packet path ("dynamic"). The generation id does not see those.
bool VolatileSet(const json& body) {
  if (Find(body, "timeout") != nullptr || Find(body, "gc-interval") != nullptr) {
    return true;
  }
  const json* flags = Find(body, "flags");
  if (flags == nullptr) {
    return false;
  }
  const auto is_volatile = [](const json& flag) {
    return flag.is_string() && (flag == "timeout" || flag == "dynamic");
  };
  if (flags->is_array()) {
    return std::any_of(flags->begin(), flags->end(), is_volatile);
  }
  return is_volatile(*flags);
}

// Objects are read in four passes (tables, sets, chains, rules) so that the order of the
// array does not matter; libnftables prints them in that order anyway.
class Builder {
 public:
  explicit Builder(const CompatExpressions* compat) : compat_(compat) {}

  Status Add(const json& items) {
    for (const auto& item : items) {
      for (const char* kind : {"set", "map", "meter"}) {
        if (const json* body = Find(item, kind); body != nullptr && VolatileSet(*body)) {
          ruleset_.volatile_sets = true;
        }
      }
    }
    for (const char* pass : {"table", "set", "chain", "rule"}) {
      for (const auto& item : items) {
        if (const json* body = Find(item, pass); body != nullptr) {
          if (auto status = AddOne(pass, *body); !status) {
            return status;
          }
        }
      }
    }
    return {};
  }

  Ruleset Take() { return std::move(ruleset_); }

 private:
  struct Key {
    std::string family, table;
    auto operator<=>(const Key&) const = default;
  };

  Status AddOne(std::string_view pass, const json& body) {
    const Key key{String(body, "family"), String(body, pass == "table" ? "name" : "table")};
    if (pass == "table") {
      if (tables_.try_emplace(key, ruleset_.tables.size()).second) {
        ruleset_.tables.push_back({ReadFamily(key.family), key.table, {}, {}});
      }
      return {};
    }
    const auto it = tables_.find(key);
    if (it == tables_.end()) {
      return Fail("object of an unknown table");
    }
    Table& table = ruleset_.tables[it->second];
    if (pass == "set") {
      return AddSet(key, body);
    }
    if (pass == "chain") {
      return AddChain(table, body);
    }
    return AddRule(key, table, body);
  }

  Status AddSet(const Key& key, const json& body) {
    auto elements = std::make_shared<Elements>();
    const std::string type = String(body, "type");
    const MatchKey element_key = type == "ipv4_addr"   ? MatchKey::kSaddr4
                                 : type == "ipv6_addr" ? MatchKey::kSaddr6
                                 : type == "ifname"    ? MatchKey::kIifname
                                                       : MatchKey::kTcpDport;
    if (const json* elem = Find(body, "elem"); elem != nullptr && elem->is_array()) {
      const ValueReader reader(no_sets_, element_budget_);
      for (const auto& item : *elem) {
        if (!reader.Read(element_key, item, *elements)) {
          elements = nullptr;  // a set we cannot read: matches on it are unmodelled
          break;
        }
      }
    }
    if (elements != nullptr &&
        (type == "ipv4_addr" || type == "ipv6_addr" || type == "inet_service" || type == "ifname" ||
         type == "inet_proto")) {
      sets_[key][String(body, "name")] = std::move(elements);
    }
    return {};
  }

  static Status AddChain(Table& table, const json& body) {
    Chain chain;
    chain.name = String(body, "name");
    if (const json* hook = Find(body, "hook"); hook != nullptr) {
      chain.base = true;
      chain.hook = ReadHook(String(body, "hook"));
      chain.type = String(body, "type");
      const json* prio = Find(body, "prio");
      chain.priority = static_cast<int>(prio != nullptr ? Integer(*prio).value_or(0) : 0);
      chain.policy_drop = String(body, "policy") == "drop";
    }
    if (table.chain_index.try_emplace(chain.name, table.chains.size()).second) {
      table.chains.push_back(std::move(chain));
    }
    return {};
  }

  Status AddRule(const Key& key, Table& table, const json& body) {
    const auto chain = table.chain_index.find(String(body, "chain"));
    if (chain == table.chain_index.end()) {
      return Fail("rule of an unknown chain");
    }
    if (++ruleset_.rule_count > kMaxRules) {
      return Fail("more than " + std::to_string(kMaxRules) + " rules");
    }
    const ValueReader reader(sets_[key], element_budget_);
    const std::vector<CompatExpression>* blobs = CompatOf(key, body);
    Rule rule;
    std::size_t next_blob = 0;
    if (const json* expr = Find(body, "expr"); expr != nullptr && expr->is_array()) {
      for (const auto& statement : *expr) {
        if (const json* xt = Find(statement, "xt"); xt != nullptr) {
          AppendCompat(*xt, blobs, next_blob++, key.family, rule.statements);
        } else {
          rule.statements.push_back(ReadStatement(statement, reader));
        }
      }
    }
    if (element_budget_ == 0) {
      return Fail("more than " + std::to_string(kMaxElements) + " set elements");
    }
    table.chains[chain->second].rules.push_back(std::move(rule));
    return {};
  }

  // The kernel's compat expressions of this rule, if any were read.
  const std::vector<CompatExpression>* CompatOf(const Key& key, const json& body) const {
    const json* handle = Find(body, "handle");
    const auto number = handle != nullptr ? Integer(*handle) : std::nullopt;
    if (compat_ == nullptr || !number || *number < 0) {
      return nullptr;
    }
    const CompatRuleKey rule{FamilyNumber(key.family), key.table, String(body, "chain"),
                             static_cast<std::uint64_t>(*number)};
    const auto it = compat_->rules.find(rule);
    return it == compat_->rules.end() ? nullptr : &it->second;
  }

  const CompatExpressions* compat_;
  Ruleset ruleset_;
  std::map<Key, std::size_t> tables_;
  std::map<Key, std::map<std::string, std::shared_ptr<const Elements>>> sets_;
  const std::map<std::string, std::shared_ptr<const Elements>> no_sets_;
  std::size_t element_budget_ = kMaxElements;
};

}  // namespace

Result<Ruleset> ParseNftJson(std::string_view text, const CompatExpressions* compat) {
  if (text.size() > kMaxRulesetBytes) {
    return Fail("ruleset JSON larger than " + std::to_string(kMaxRulesetBytes >> 20) + " MiB");
  }
  try {
    bool too_deep = false;
    const json::parser_callback_t bound = [&](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth) {
        too_deep = true;
        return false;
      }
      return true;
    };
    const json document = json::parse(text.begin(), text.end(), bound, false);
    if (too_deep) {
      return Fail("ruleset JSON nested deeper than " + std::to_string(kMaxJsonDepth));
    }
    if (document.is_discarded()) {
      return Fail("ruleset output is not valid JSON");
    }
    const json* items = Find(document, "nftables");
    if (items == nullptr || !items->is_array()) {
      return Fail("ruleset JSON has no \"nftables\" array");
    }
    Builder builder(compat);
    if (auto status = builder.Add(*items); !status) {
      return std::unexpected(status.error());
    }
    return builder.Take();
  } catch (const std::exception& e) {
    return Fail(std::string("ruleset JSON: ") + e.what());
  }
}

}  // namespace portwarden::firewall
