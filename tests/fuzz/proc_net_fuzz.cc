// The /proc/net/{tcp,tcp6,udp,udp6} parser on arbitrary text. First byte picks the file.
#include <vector>

#include "agent/inventory/proc_net_parser.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  if (size == 0) {
    return 0;
  }
  const Protocol protocol = (data[0] & 1) != 0 ? Protocol::kUdp : Protocol::kTcp;
  const AddressFamily family = (data[0] & 2) != 0 ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  std::vector<inventory::RawSocket> sockets;
  (void)inventory::ParseProcNet(fuzz::AsText(data + 1, size - 1), protocol, family, sockets);
  return 0;
}
