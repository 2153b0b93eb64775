// The NETLINK_SOCK_DIAG dump parser on arbitrary bytes (the kernel's answer is outside input:
// a hostile or buggy kernel module, or a replayed capture). First byte picks the protocol.
#include <span>
#include <vector>

#include "agent/inventory/inet_diag_parser.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  if (size == 0) {
    return 0;
  }
  const Protocol protocol = (data[0] & 1) != 0 ? Protocol::kUdp : Protocol::kTcp;
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  (void)inventory::ParseInetDiagDump(bytes, protocol);
  std::vector<inventory::RawSocket> sockets;
  (void)inventory::ParseInetDiagBatch(bytes, protocol, sockets);
  return 0;
}
