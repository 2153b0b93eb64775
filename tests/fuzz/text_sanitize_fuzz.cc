// The one gate for strings from outside (text::SanitizeUtf8): whatever the bytes and the cap,
// the result is valid UTF-8 without NUL within the cap, and valid text that fits is unchanged.
#include "agent/core/text_sanitize.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  if (size < 2) {
    return 0;
  }
  const std::size_t max_bytes = 3 + (data[0] | (data[1] << 8)) % 2048;
  const std::string_view raw = fuzz::AsText(data + 2, size - 2);
  const std::string out = text::SanitizeUtf8(raw, max_bytes);
  PORTWARDEN_FUZZ_CHECK(fuzz::IsValidUtf8(out));
  PORTWARDEN_FUZZ_CHECK(out.size() <= max_bytes);
  PORTWARDEN_FUZZ_CHECK(out.find('\0') == std::string::npos);
  if (fuzz::IsValidUtf8(raw) && raw.find('\0') == std::string_view::npos &&
      raw.size() <= max_bytes) {
    PORTWARDEN_FUZZ_CHECK(out == raw);
  }
  PORTWARDEN_FUZZ_CHECK(text::Sanitize(raw, text::Kind::kProcessName).size() <=
                        text::MaxBytes(text::Kind::kProcessName));
  return 0;
}
