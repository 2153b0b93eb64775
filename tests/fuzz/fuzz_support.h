#pragma once

// Shared by the fuzz targets: the libFuzzer entry point's signature and a check that aborts
// (so libFuzzer records the input as a crash) when a property a target asserts is violated.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define PORTWARDEN_FUZZ_CHECK(condition)                                                      \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

namespace portwarden::fuzz {

/// The fuzzer's bytes as text.
inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Whether `text` is well-formed UTF-8 (RFC 3629).
bool IsValidUtf8(std::string_view text);

}  // namespace portwarden::fuzz
