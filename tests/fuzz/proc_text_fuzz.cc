// The /proc/<pid> text readers: cgroup -> unit or container, stat -> start time.
#include "agent/inventory/proc_text.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  const std::string_view text = fuzz::AsText(data, size);
  const std::string unit = inventory::UnitFromCgroup(text);
  PORTWARDEN_FUZZ_CHECK(unit.size() <= text.size());
  (void)inventory::UnitFromCgroupPath(text);
  (void)inventory::StartTimeFromStat(text);
  return 0;
}
