#pragma once

#include <string>

#include <gtest/gtest.h>

#include "agent/config/config.h"

/// Shared harness for tables of invalid configurations (blackbox_exporter's TestLoadBadConfigs
/// pattern): each row is loaded as "bad.toml" and must fail with exactly its message.
namespace portwarden::config::testing_support {

struct BadConfig {
  const char* name;   ///< Test name suffix.
  const char* text;   ///< TOML document.
  const char* error;  ///< The exact message a user sees.
};

class BadConfigTable : public ::testing::TestWithParam<BadConfig> {
 protected:
  static void ExpectRejectedWithExactMessage() {
    auto config = LoadString(GetParam().text, "bad.toml");
    ASSERT_FALSE(config) << "accepted: " << GetParam().text;
    EXPECT_EQ(config.error().message, GetParam().error);
  }
};

inline std::string BadConfigName(const ::testing::TestParamInfo<BadConfig>& param) {
  return param.param.name;
}

}  // namespace portwarden::config::testing_support
