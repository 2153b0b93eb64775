// Table of invalid [exposure] configurations, each with the exact message a user sees.
#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "tests/unit/config/bad_config_table.h"

namespace portwarden::config {
namespace {

using testing_support::BadConfig;

class BadExposureConfigTest : public testing_support::BadConfigTable {};

TEST_P(BadExposureConfigTest, IsRejectedWithExactMessage) {
  ExpectRejectedWithExactMessage();
}

const BadConfig kBadConfigs[] = {
    {"UnknownExposureKey", "[exposure]\ndefault = \"allow\"\n",
     "bad.toml:2:1: unknown key \"default\" in [exposure] (allowed: default_rules, "
     "default_action, judge, rules, zones)"},
    {"BadJudge", "[exposure]\njudge = \"firewall\"\n",
     "bad.toml:2:9: exposure.judge: must be \"bind\" or \"effective\", got \"firewall\""},
    {"JudgeNotString", "[exposure]\njudge = 1\n",
     "bad.toml:2:9: exposure.judge: expected a string, got integer"},
    {"BadDefaultAction", "[exposure]\ndefault_action = \"deny\"\n",
     "bad.toml:2:18: exposure.default_action: must be \"allow\" or \"report\", got \"deny\""},
    {"DefaultRulesNotBool", "[exposure]\ndefault_rules = \"no\"\n",
     "bad.toml:2:17: exposure.default_rules: expected a boolean, got string"},
    {"UnknownScope", "[[exposure.rules]]\nname = \"a\"\nports = [8443]\nallow = [\"lan\"]\n",
     "bad.toml:4:10: exposure.rules.allow: unknown scope \"lan\" (allowed: loopback, link_local, "
     "private, public)"},
    {"PortOutOfRange", "[[exposure.rules]]\nname = \"a\"\nports = [70000]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: port 70000 is out of range [1, 65535]"},
    {"PortZero", "[[exposure.rules]]\nname = \"a\"\nports = [0]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: port 0 is out of range [1, 65535]"},
    {"RangeOutOfRange", "[[exposure.rules]]\nname = \"a\"\nports = [\"8000-65536\"]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: port 65536 is out of range [1, 65535]"},
    {"ReversedRange", "[[exposure.rules]]\nname = \"a\"\nports = [\"8100-8000\"]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: range \"8100-8000\" is reversed (low port must come "
     "first)"},
    {"RangeNotNumber", "[[exposure.rules]]\nname = \"a\"\nports = [\"http\"]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: invalid port \"http\": expected a number or "
     "\"low-high\""},
    {"PortWrongType", "[[exposure.rules]]\nname = \"a\"\nports = [true]\nallow = []\n",
     "bad.toml:3:10: exposure.rules.ports: expected a port number or a \"low-high\" range, got "
     "boolean"},
    {"EmptyRule", "[[exposure.rules]]\nname = \"nothing\"\nallow = []\n",
     "bad.toml:1:1: exposure.rules: rule \"nothing\" is empty: it matches every listener and "
     "allows no scope (give it a match criterion or at least one allowed scope)"},
    {"BadCidr", "[[exposure.rules]]\nname = \"a\"\naddresses = [\"10.0.0.0/33\"]\nallow = []\n",
     "bad.toml:3:14: exposure.rules.addresses: invalid CIDR \"10.0.0.0/33\": prefix length must "
     "be a number from 0 to 32"},
    {"CidrNotAnAddress", "[[exposure.rules]]\nname = \"a\"\naddresses = [\"eth0\"]\nallow = []\n",
     "bad.toml:3:14: exposure.rules.addresses: invalid CIDR \"eth0\": not an IPv4 or IPv6 "
     "address"},
    {"CidrHostBits", "[[exposure.rules]]\nname = \"a\"\naddresses = [\"10.1.2.3/8\"]\nallow = []\n",
     "bad.toml:3:14: exposure.rules.addresses: invalid CIDR \"10.1.2.3/8\": host bits are set "
     "(did you mean \"10.0.0.0/8\"?)"},
    {"DuplicateRuleName",
     "[[exposure.rules]]\nname = \"a\"\nports = [1]\nallow = []\n"
     "[[exposure.rules]]\nname = \"a\"\nports = [2]\nallow = []\n",
     "bad.toml:5:1: exposure.rules: duplicate rule name \"a\""},
    {"MissingName", "[[exposure.rules]]\nports = [1]\nallow = []\n",
     "bad.toml:1:1: exposure.rules: missing required key \"name\""},
    {"MissingAllow", "[[exposure.rules]]\nname = \"a\"\nports = [1]\n",
     "bad.toml:1:1: exposure.rules: missing required key \"allow\""},
    {"EmptyName", "[[exposure.rules]]\nname = \"\"\nports = [1]\nallow = []\n",
     "bad.toml:2:8: exposure.rules.name: must not be empty"},
    {"UnknownRuleKey", "[[exposure.rules]]\nname = \"a\"\nport = 1\nallow = []\n",
     "bad.toml:3:1: unknown key \"port\" in [[exposure.rules]] (allowed: name, ports, protocol, "
     "processes, executables, units, namespaces, addresses, requires_listener_on, allow)"},
    {"BadProtocol", "[[exposure.rules]]\nname = \"a\"\nprotocol = \"sctp\"\nallow = []\n",
     "bad.toml:3:12: exposure.rules.protocol: must be \"tcp\" or \"udp\", got \"sctp\""},
    {"ProcessesNotArray", "[[exposure.rules]]\nname = \"a\"\nprocesses = \"nginx\"\nallow = []\n",
     "bad.toml:3:13: exposure.rules.processes: expected an array of strings, got string"},
    {"RulesNotArray", "[exposure.rules]\nname = \"a\"\n",
     "bad.toml:1:1: exposure.rules: expected an array of tables ([[exposure.rules]]), got table"},
    {"ZoneUnknownScope", "[[exposure.zones]]\ninterface = \"eth0\"\nscope = \"dmz\"\n",
     "bad.toml:3:9: exposure.zones.scope: unknown scope \"dmz\" (allowed: loopback, link_local, "
     "private, public)"},
    {"ZoneBadCidr", "[[exposure.zones]]\ncidr = \"10.0.0.0/8/8\"\nscope = \"public\"\n",
     "bad.toml:2:8: exposure.zones.cidr: invalid CIDR \"10.0.0.0/8/8\": prefix length must be a "
     "number from 0 to 32"},
    {"ZoneBothTargets",
     "[[exposure.zones]]\ninterface = \"eth0\"\ncidr = \"10.0.0.0/8\"\nscope = \"public\"\n",
     "bad.toml:1:1: exposure.zones: give exactly one of \"interface\" or \"cidr\""},
    {"ZoneNoTarget", "[[exposure.zones]]\nscope = \"public\"\n",
     "bad.toml:1:1: exposure.zones: give exactly one of \"interface\" or \"cidr\""},
    {"ZoneMissingScope", "[[exposure.zones]]\ninterface = \"eth0\"\n",
     "bad.toml:1:1: exposure.zones: missing required key \"scope\""},
    {"ZoneUnknownKey", "[[exposure.zones]]\ninterface = \"eth0\"\nscope = \"public\"\nnat = true\n",
     "bad.toml:4:1: unknown key \"nat\" in [[exposure.zones]] (allowed: interface, cidr, scope)"},
};

INSTANTIATE_TEST_SUITE_P(Table,
                         BadExposureConfigTest,
                         testing::ValuesIn(kBadConfigs),
                         testing_support::BadConfigName);

}  // namespace
}  // namespace portwarden::config
