// The Strict-Transport-Security header parser (the header comes from the probed server).
#include "agent/probe/http_check.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (auto max_age = portwarden::probe::ParseHstsMaxAge(portwarden::fuzz::AsText(data, size))) {
    PORTWARDEN_FUZZ_CHECK(*max_age == *max_age);  // not NaN
  }
  return 0;
}
