// The whole TOML -> Config loader on arbitrary text: no crash (the nesting cap keeps toml++'s
// recursion shallow), and every error is a bounded, valid UTF-8, one-line message.
#include "agent/config/config.h"
#include "agent/config/excerpt.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  auto config = config::LoadString(fuzz::AsText(data, size), "fuzz.toml");
  if (!config) {
    const std::string& message = config.error().message;
    PORTWARDEN_FUZZ_CHECK(fuzz::IsValidUtf8(message));
    PORTWARDEN_FUZZ_CHECK(message.size() <= 4 * config::kMessageChars + 3);
    PORTWARDEN_FUZZ_CHECK(message.find('\n') == std::string::npos);
  }
  return 0;
}
