// The parse of the kernel's NFT_MSG_GETGEN answer on arbitrary bytes (outside input, as every
// netlink reply). The first 4 bytes are the sequence number the reply must carry.
#include <cstring>
#include <span>

#include "agent/firewall/nft_generation.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) {
    return 0;
  }
  std::uint32_t sequence = 0;
  std::memcpy(&sequence, data, sizeof(sequence));
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data + 4), size - 4);
  (void)portwarden::firewall::ParseGenReply(bytes, sequence);
  return 0;
}
