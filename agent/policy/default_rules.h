#pragma once

#include <vector>

#include "agent/policy/evaluate.h"
#include "agent/policy/policy_settings.h"

/// The built-in exposure rules: the HTTPS port practice portwarden is built around.
namespace portwarden::policy {

/// The built-in rules, in order (docs/exposure.md explains each):
///   https-public             443/tcp+udp      any scope
///   https-alt-internal       8443             loopback, link_local, private
///   http-redirect-companion  80/tcp, with a 443/tcp listener in the same netns: any scope
///   http-internal            80               loopback, link_local, private
///   remote-admin-internal    22, 23, 3389, 5900, 2375, 2376, 10250: not public
///   database-internal        3306, 5432, 6379, 9200, 9300, 11211, 27017: not public
///   portwarden-internal      the agent's own web.listen_address ports: not public
std::vector<config::ExposureRule> DefaultRules(const PolicySettings& settings);

/// The rules in force: user rules first; then the built-ins, except those whose name a user
/// rule reuses (a user rule named like a built-in replaces it) and none at all when
/// exposure.default_rules = false.
RuleSet BuildRuleSet(const PolicySettings& settings);

}  // namespace portwarden::policy
