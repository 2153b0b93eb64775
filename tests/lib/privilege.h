// Privileged tests: skip where the privilege is missing, fail where CI says it is there.
#pragma once

#include <cstdlib>
#include <string_view>

#include <gtest/gtest.h>

namespace portwarden::test_support {

/// True when the run promises root, namespaces, BPF and the rest (CI sets
/// PORTWARDEN_REQUIRE_PRIVILEGED=1): a test lacking a privilege must then fail, not skip.
inline bool PrivilegesRequired() {
  const char* value = std::getenv("PORTWARDEN_REQUIRE_PRIVILEGED");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace portwarden::test_support

/// Skips the current test with `reason`, or fails it when privileges are required.
#define PORTWARDEN_SKIP_UNPRIVILEGED(reason)                               \
  do {                                                                     \
    if (::portwarden::test_support::PrivilegesRequired()) {                \
      GTEST_FAIL() << "PORTWARDEN_REQUIRE_PRIVILEGED=1 but: " << (reason); \
    }                                                                      \
    GTEST_SKIP() << (reason);                                              \
  } while (false)
