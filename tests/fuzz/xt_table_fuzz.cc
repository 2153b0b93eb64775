// The legacy iptables table translation (x_tables images from the kernel of a namespace whose
// CAP_NET_ADMIN holder controls the rules), then the evaluator over whatever it accepted:
// bounded, no crash, every verdict one of the three. Input: one byte (bit 0: IPv6; bits 1-3:
// the table name, filter nat mangle raw security), valid_hooks, hook_entry[5], underflow[5]
// (native 32-bit), then the entries blob. make_seeds.py captures real images as seeds.
#include <cstring>

#include "agent/firewall/evaluate.h"
#include "agent/firewall/nft_json.h"
#include "agent/firewall/xt_image.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden::firewall;
  constexpr std::size_t kHeader = 1 + 4 * (1 + 2 * kXtHooks);
  if (size < kHeader) {
    return 0;
  }
  static const char* const kNames[] = {"filter", "nat", "mangle", "raw", "security"};
  XtTableImage image;
  image.ipv6 = (data[0] & 1) != 0;
  image.name = kNames[(data[0] >> 1) % 5];
  std::memcpy(&image.valid_hooks, data + 1, 4);
  std::memcpy(image.hook_entry.data(), data + 5, 4 * kXtHooks);
  std::memcpy(image.underflow.data(), data + 5 + 4 * kXtHooks, 4 * kXtHooks);
  const auto* entries = reinterpret_cast<const std::byte*>(data + kHeader);
  image.entries.assign(entries, entries + (size - kHeader));
  std::vector<std::byte> zeroed = image.entries;
  ZeroXtCounters(zeroed, image.ipv6);
  std::size_t rules = 0;
  auto table = ParseXtTable(image, rules);
  if (!table) {
    PORTWARDEN_FUZZ_CHECK(!table.error().message.empty());
    return 0;
  }
  PORTWARDEN_FUZZ_CHECK(rules <= kMaxRules);
  Ruleset ruleset;
  ruleset.tables.push_back(std::move(*table));
  ruleset.rule_count = rules;
  PacketClass packets;
  packets.ipv6 = image.ipv6;
  packets.port = 8443;
  packets.sources = PublicSources(image.ipv6);
  packets.destinations = IntervalSet({{1, 1}});
  packets.interfaces = {"eth0", "veth1"};
  const auto result = Evaluate(ruleset, packets);
  PORTWARDEN_FUZZ_CHECK(result.verdict == Verdict::kAccept || result.verdict == Verdict::kDrop ||
                        result.verdict == Verdict::kUnknown);
  (void)Publications(ruleset);
  return 0;
}
