// The exporter-toolkit web config reader (yaml-cpp, then the position-aware field readers) on
// arbitrary text: no crash, and an error or a config, never an exception.
#include "exporters/http/web_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)portwarden::exporters::http::ParseWebConfig(portwarden::fuzz::AsText(data, size), "web.yml",
                                                    "/nonexistent");
  return 0;
}
