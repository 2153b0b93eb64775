// The baseline file reader on arbitrary text: no crash, and every error is a bounded, valid
// UTF-8, one-line message, as for the config loader whose TomlReader and bounds it uses.
#include "agent/config/baseline.h"
#include "agent/config/excerpt.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  auto baseline = config::ParseBaseline(fuzz::AsText(data, size), "fuzz.toml");
  if (!baseline) {
    const std::string& message = baseline.error().message;
    PORTWARDEN_FUZZ_CHECK(fuzz::IsValidUtf8(message));
    PORTWARDEN_FUZZ_CHECK(message.size() <= 4 * config::kMessageChars + 3);
    PORTWARDEN_FUZZ_CHECK(message.find('\n') == std::string::npos);
  }
  return 0;
}
