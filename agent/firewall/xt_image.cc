// An x_tables image is a sequence of entries, each an ip part, its matches and one target,
// chained by next_offset. Built-in chains are the ranges [hook_entry, underflow) with the
// underflow entry as policy; a user chain starts after an ERROR entry naming it and runs to the
// next ERROR entry (iptables ends it with an unconditional RETURN; the image's last entry is
// an ERROR "ERROR"). A jump is a standard target whose verdict is the offset of a user chain's
// first entry. The walk is two passes: index every entry (every size checked), then translate
// the chains the evaluator needs, jumps resolved by offset to chain names.
#include "agent/firewall/xt_image.h"

#include <arpa/inet.h>  // <netinet/in.h> before the kernel headers, which defer to it
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>

#include "agent/firewall/nft_json.h"
#include "agent/firewall/xt_extensions.h"
#include "agent/firewall/xt_ip.h"

namespace portwarden::firewall {
namespace {

constexpr std::size_t kHeader = sizeof(xt_entry_target);  // == sizeof(xt_entry_match): 32

struct Entry {
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t target_offset = 0;
  XtIpPart ip;
};

template <typename T>
T Load(std::span<const std::byte> bytes, std::size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Indexes every entry, checking each size against the image.
Result<std::vector<Entry>> Index(const XtTableImage& image) {
  const std::span<const std::byte> bytes(image.entries);
  const std::size_t header = image.ipv6 ? sizeof(ip6t_entry) : sizeof(ipt_entry);
  std::vector<Entry> out;
  for (std::size_t offset = 0; offset < bytes.size();) {
    if (out.size() >= kMaxXtEntries) {
      return Fail("more than " + std::to_string(kMaxXtEntries) + " entries");
    }
    if (bytes.size() - offset < header) {
      return Fail("truncated entry at offset " + std::to_string(offset));
    }
    Entry entry{offset, 0, 0, {}};
    if (image.ipv6) {
      const auto e = Load<ip6t_entry>(bytes, offset);
      entry.size = e.next_offset, entry.target_offset = e.target_offset,
      entry.ip = ReadXtIp6(e.ipv6);
    } else {
      const auto e = Load<ipt_entry>(bytes, offset);
      entry.size = e.next_offset, entry.target_offset = e.target_offset, entry.ip = ReadXtIp4(e.ip);
    }
    if (entry.target_offset < header || entry.target_offset + kHeader > entry.size ||
        entry.size > bytes.size() - offset || entry.size % alignof(ipt_entry) != 0) {
      return Fail("entry at offset " + std::to_string(offset) + " has impossible sizes");
    }
    out.push_back(entry);
    offset += entry.size;
  }
  return out;
}

// The extension (match or target) at `offset`, which must fit before `end`.
std::optional<XtExtension> Extension(std::span<const std::byte> bytes,
                                     std::size_t offset,
                                     std::size_t end) {
  if (offset + kHeader > end) {
    return std::nullopt;
  }
  const auto header = Load<xt_entry_target>(bytes, offset);
  const std::size_t size = header.u.target_size;
  if (size < kHeader || size > end - offset) {
    return std::nullopt;
  }
  const char* name = header.u.user.name;
  return XtExtension{std::string(name, ::strnlen(name, sizeof(header.u.user.name))),
                     header.u.user.revision, bytes.subspan(offset + kHeader, size - kHeader)};
}

class Translator {
 public:
  Translator(const XtTableImage& image, std::vector<Entry> entries)
      : image_(image), bytes_(image.entries), entries_(std::move(entries)) {}

  Result<Table> Run(std::size_t& rule_count);

 private:
  Result<Chain> BuiltIn(std::size_t hook, int priority) const;
  Status UserChains(Table& table) const;
  Result<Rule> Translate(const Entry& entry) const;
  Statement Target(const Entry& entry, const XtExtension& target) const;

  std::optional<std::size_t> IndexAt(std::size_t offset) const {
    const auto it = by_offset_.find(offset);
    return it == by_offset_.end() ? std::nullopt : std::optional(it->second);
  }

  const XtTableImage& image_;
  std::span<const std::byte> bytes_;
  std::vector<Entry> entries_;
  std::map<std::size_t, std::size_t> by_offset_;    // entry offset -> index
  std::map<std::size_t, std::string> user_starts_;  // first entry of a user chain -> its name
  std::vector<std::pair<std::size_t, std::string>> heads_;  // ERROR entries (index, name)
};

Statement Translator::Target(const Entry& entry, const XtExtension& target) const {
  using K = VerdictStmt::Kind;
  if (!target.name.empty()) {
    return target.name == "ERROR" ? Statement(Unmodelled{"xt target ERROR"})
                                  : XtTargetStatement(target, image_.ipv6);
  }
  std::int32_t verdict = 0;
  if (target.data.size() < sizeof(verdict)) {
    return Unmodelled{"xt standard target without a verdict"};
  }
  std::memcpy(&verdict, target.data.data(), sizeof(verdict));
  if (verdict < 0) {
    switch (verdict) {
      case -NF_DROP - 1:
        return VerdictStmt{K::kDrop, ""};
      case -NF_ACCEPT - 1:
        return VerdictStmt{K::kAccept, ""};
      case XT_RETURN:
        return VerdictStmt{K::kReturn, ""};
      default:
        return Unmodelled{"xt verdict " + std::to_string(-std::int64_t{verdict} - 1)};
    }
  }
  const auto to = static_cast<std::size_t>(verdict);
  if (to == entry.offset + entry.size) {
    return NopStmt{};  // a rule without a target: on to the next one
  }
  const auto chain = user_starts_.find(to);
  if (chain == user_starts_.end()) {
    return Unmodelled{"xt jump to an offset that starts no user chain"};
  }
  return VerdictStmt{entry.ip.jump_is_goto ? K::kGoto : K::kJump, chain->second};
}

Result<Rule> Translator::Translate(const Entry& entry) const {
  Rule rule;
  AppendXtIpPart(entry.ip, rule.statements);
  const std::size_t header = image_.ipv6 ? sizeof(ip6t_entry) : sizeof(ipt_entry);
  const std::size_t matches_end = entry.offset + entry.target_offset;
  for (std::size_t at = entry.offset + header; at < matches_end;) {
    const auto match = Extension(bytes_, at, matches_end);
    if (!match) {
      return Fail("match at offset " + std::to_string(at) + " does not fit its entry");
    }
    AppendXtMatch(*match, entry.ip.protocol, rule.statements);
    at += kHeader + match->data.size();
  }
  const auto target = Extension(bytes_, matches_end, entry.offset + entry.size);
  if (!target) {
    return Fail("target at offset " + std::to_string(matches_end) + " does not fit its entry");
  }
  rule.statements.push_back(Target(entry, *target));
  return rule;
}

Result<Chain> Translator::BuiltIn(std::size_t hook, int priority) const {
  static constexpr const char* kNames[] = {"PREROUTING", "INPUT", "FORWARD"};
  static constexpr Hook kHooks[] = {Hook::kPrerouting, Hook::kInput, Hook::kForward};
  const auto first = IndexAt(image_.hook_entry[hook]);
  const auto policy = IndexAt(image_.underflow[hook]);
  if (!first || !policy || *first > *policy) {
    return Fail(std::string(kNames[hook]) + ": hook offsets outside the entries");
  }
  Chain chain{kNames[hook], true, kHooks[hook], image_.name == "nat" ? "nat" : "filter", priority,
              false,        {}};
  for (std::size_t i = *first; i < *policy; ++i) {
    auto rule = Translate(entries_[i]);
    if (!rule) {
      return std::unexpected(rule.error());
    }
    chain.rules.push_back(std::move(*rule));
  }
  auto tail = Translate(entries_[*policy]);
  const auto* verdict = tail && tail->statements.size() == 1
                            ? std::get_if<VerdictStmt>(&tail->statements[0])
                            : nullptr;
  if (verdict == nullptr ||
      (verdict->kind != VerdictStmt::Kind::kAccept && verdict->kind != VerdictStmt::Kind::kDrop)) {
    return Fail(std::string(kNames[hook]) + ": policy is neither ACCEPT nor DROP");
  }
  chain.policy_drop = verdict->kind == VerdictStmt::Kind::kDrop;
  return chain;
}

// Whether a chain's last rule ends every path (iptables' closing RETURN); else the kernel
// would run on into the next chain's ERROR head, which drops: not modelled.
bool Closed(const Chain& chain) {
  if (chain.rules.empty() || chain.rules.back().statements.size() != 1) {
    return false;
  }
  const auto* verdict = std::get_if<VerdictStmt>(&chain.rules.back().statements[0]);
  return verdict != nullptr && verdict->kind != VerdictStmt::Kind::kJump &&
         verdict->kind != VerdictStmt::Kind::kContinue;
}

Status Translator::UserChains(Table& table) const {
  for (std::size_t h = 0; h + 1 < heads_.size(); ++h) {
    Chain chain{heads_[h].second, false, Hook::kOther, "", 0, false, {}};
    for (std::size_t i = heads_[h].first + 1; i < heads_[h + 1].first; ++i) {
      auto rule = Translate(entries_[i]);
      if (!rule) {
        return std::unexpected(rule.error());
      }
      chain.rules.push_back(std::move(*rule));
    }
    if (!Closed(chain)) {
      chain.rules.push_back({{Unmodelled{"xt chain without a final verdict"}}});
    }
    if (!table.chain_index.try_emplace(chain.name, table.chains.size()).second) {
      return Fail("two chains named " + chain.name);
    }
    table.chains.push_back(std::move(chain));
  }
  return {};
}

Result<Table> Translator::Run(std::size_t& rule_count) {
  const auto priority = XtTablePriority(image_.name);
  if (!priority) {
    return Fail("table " + image_.name + ": its hook priority is not known");
  }
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    by_offset_.emplace(entries_[i].offset, i);
    const Entry& e = entries_[i];
    const auto target = Extension(bytes_, e.offset + e.target_offset, e.offset + e.size);
    if (target && target->name == "ERROR") {
      const auto* text = reinterpret_cast<const char*>(target->data.data());
      heads_.emplace_back(i, std::string(text, ::strnlen(text, target->data.size())));
      if (i + 1 < entries_.size()) {
        user_starts_.emplace(entries_[i + 1].offset, heads_.back().second);
      }
    }
  }
  if (heads_.empty() || heads_.back().first + 1 != entries_.size()) {
    return Fail("the image does not end with an ERROR entry");
  }
  Table table{image_.ipv6 ? TableFamily::kIp6 : TableFamily::kIp, "legacy " + image_.name, {}, {}};
  for (std::size_t hook = 0; hook < 3; ++hook) {
    if ((image_.valid_hooks & (1U << hook)) != 0) {
      auto chain = BuiltIn(hook, *priority);
      if (!chain) {
        return std::unexpected(chain.error());
      }
      table.chain_index.emplace(chain->name, table.chains.size());
      table.chains.push_back(std::move(*chain));
    }
  }
  if (auto status = UserChains(table); !status) {
    return std::unexpected(status.error());
  }
  for (const Chain& chain : table.chains) {
    rule_count += chain.rules.size();
  }
  if (rule_count > kMaxRules) {
    return Fail("more than " + std::to_string(kMaxRules) + " rules");
  }
  return table;
}

}  // namespace

std::optional<int> XtTablePriority(const std::string& name) {
  static const std::pair<const char*, int> kPriorities[] = {
      {"raw", -300}, {"mangle", -150}, {"nat", -100}, {"filter", 0}, {"security", 50}};
  for (const auto& [known, priority] : kPriorities) {
    if (name == known) {
      return priority;
    }
  }
  return std::nullopt;
}

Result<Table> ParseXtTable(const XtTableImage& image, std::size_t& rule_count) {
  if (image.entries.size() > kMaxXtTableBytes) {
    return Fail("legacy table larger than " + std::to_string(kMaxXtTableBytes >> 20) + " MiB");
  }
  auto entries = Index(image);
  if (!entries) {
    return std::unexpected(entries.error());
  }
  return Translator(image, std::move(*entries)).Run(rule_count);
}

void ZeroXtCounters(std::span<std::byte> entries, bool ipv6) {
  const std::size_t header = ipv6 ? sizeof(ip6t_entry) : sizeof(ipt_entry);
  const std::size_t counters =
      ipv6 ? offsetof(ip6t_entry, counters) : offsetof(ipt_entry, counters);
  const std::size_t next =
      ipv6 ? offsetof(ip6t_entry, next_offset) : offsetof(ipt_entry, next_offset);
  for (std::size_t offset = 0; entries.size() - offset >= header;) {
    std::uint16_t size = 0;
    std::memcpy(&size, entries.data() + offset + next, sizeof(size));
    std::memset(entries.data() + offset + counters, 0, sizeof(xt_counters));
    if (size < header || size > entries.size() - offset) {
      return;
    }
    offset += size;
  }
}

}  // namespace portwarden::firewall
