// The small parsers of config values: durations (with a format/parse round trip), CIDRs, IP
// literals, host:port and listen addresses.
#include "agent/config/cidr.h"
#include "agent/config/host_port.h"
#include "agent/core/duration.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  const std::string_view text = fuzz::AsText(data, size);
  if (auto duration = ParseDuration(text)) {
    auto again = ParseDuration(FormatDuration(*duration));
    PORTWARDEN_FUZZ_CHECK(again && *again == *duration);
  }
  (void)config::ParseCidr(text);
  (void)config::ParseIpAddress(text);
  if (auto parsed = config::SplitHostPort(text)) {
    PORTWARDEN_FUZZ_CHECK(parsed->port >= 1);
  }
  (void)config::SplitListenAddress(text);
  return 0;
}
