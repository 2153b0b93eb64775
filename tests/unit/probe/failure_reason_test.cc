// The closed set of probe failure reasons.
#include "agent/probe/failure_reason.h"

#include <algorithm>
#include <set>

#include <gtest/gtest.h>

namespace portwarden::probe {
namespace {

TEST(FailureReasonTest, ClosedSetHasNoDuplicates) {
  const auto all = failure::All();
  EXPECT_EQ(std::set<std::string_view>(all.begin(), all.end()).size(), all.size());
  EXPECT_NE(std::find(all.begin(), all.end(), "connect_refused"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "dns_timeout"), all.end());
}

}  // namespace
}  // namespace portwarden::probe
