// The ruleset JSON parser (libnftables output from a namespace whoever holds CAP_NET_ADMIN
// there controls), then the evaluator over whatever it accepted: bounded, no throw, and every
// verdict one of the three.
#include "agent/firewall/evaluate.h"
#include "agent/firewall/nft_json.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  auto ruleset = firewall::ParseNftJson(fuzz::AsText(data, size));
  if (!ruleset) {
    PORTWARDEN_FUZZ_CHECK(!ruleset.error().message.empty());
    return 0;
  }
  PORTWARDEN_FUZZ_CHECK(ruleset->rule_count <= firewall::kMaxRules);
  for (const bool ipv6 : {false, true}) {
    firewall::PacketClass packets;
    packets.ipv6 = ipv6;
    packets.port = 8443;
    packets.sources = firewall::PublicSources(ipv6);
    packets.destinations = firewall::IntervalSet({{1, 1}});
    packets.interfaces = {"eth0", "veth1"};
    const auto result = firewall::Evaluate(*ruleset, packets);
    PORTWARDEN_FUZZ_CHECK(result.verdict == firewall::Verdict::kAccept ||
                          result.verdict == firewall::Verdict::kDrop ||
                          result.verdict == firewall::Verdict::kUnknown);
  }
  (void)firewall::Publications(*ruleset);
  return 0;
}
