// The parse of an nf_tables rule dump (NFT_MSG_GETRULE, iptables-nft's compat expressions) on
// arbitrary bytes, then the JSON parser's use of what it gave. The first 4 bytes are the
// sequence number the replies must carry.
#include <cstring>
#include <span>

#include "agent/firewall/nft_compat.h"
#include "agent/firewall/nft_json.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) {
    return 0;
  }
  std::uint32_t sequence = 0;
  std::memcpy(&sequence, data, sizeof(sequence));
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data + 4), size - 4);
  portwarden::firewall::CompatExpressions compat;
  if (portwarden::firewall::ParseRuleDump(bytes, sequence, compat)) {
    // Every blob against an xt match and target of a rule that has them.
    (void)portwarden::firewall::ParseNftJson(
        R"({"nftables": [{"table": {"family": "ip", "name": "nat"}},
          {"chain": {"family": "ip", "table": "nat", "name": "PREROUTING"}},
          {"rule": {"family": "ip", "table": "nat", "chain": "PREROUTING", "handle": 6,
            "expr": [{"xt": {"type": "match", "name": "addrtype"}},
                     {"xt": {"type": "target", "name": "DNAT"}}]}}]})",
        &compat);
  }
  return 0;
}
