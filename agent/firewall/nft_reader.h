#pragma once

#include <string>

#include "agent/core/error.h"

namespace portwarden::firewall {

/// `nft -j list ruleset` through libnftables, for the calling thread's network namespace
/// (the caller enters the namespace first). Needs CAP_NET_ADMIN over that namespace; the error
/// says so. Output larger than kMaxRulesetBytes is refused. Not thread-safe.
Result<std::string> ListRulesetJson();

}  // namespace portwarden::firewall
