// The /proc/net/{tcp,tcp6,udp,udp6} parser on arbitrary text, whole and as streamed chunks
// with a sockstat count (first byte: file and count), and the /proc/net/sockstat reader.
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
  const std::string_view text = fuzz::AsText(data + 1, size - 1);
  std::vector<inventory::RawSocket> sockets;
  (void)inventory::ParseProcNet(text, protocol, family, sockets);
  inventory::ProcNetTally tally;
  tally.in_use = (data[0] >> 2) - 1;  // -1 (unknown) to 62
  std::vector<inventory::RawSocket> rows;
  (void)inventory::ParseProcNetRows(text, protocol, family, rows, 2, tally);
  PORTWARDEN_FUZZ_CHECK(tally.wanted == static_cast<long>(rows.size()));
  for (const std::string_view name : {"TCP", "UDP", "TCP6", "UDP6"}) {
    (void)inventory::SockstatInUse(text, name);
  }
  return 0;
}
