// Table of invalid configurations, each with the exact message a user sees.
#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "tests/unit/config/bad_config_table.h"

namespace portwarden::config {
namespace {

using testing_support::BadConfig;

class BadConfigTest : public testing_support::BadConfigTable {};

TEST_P(BadConfigTest, IsRejectedWithExactMessage) {
  ExpectRejectedWithExactMessage();
}

const BadConfig kBadConfigs[] = {
    {"SyntaxError", "[agent\n",
     "bad.toml:1:7: Error while parsing table header: expected ']', saw '\\n'"},
    {"UnknownTopLevelKey", "[agnet]\n",
     "bad.toml:1:2: unknown key \"agnet\" in the top level (allowed: agent, web, discovery, "
     "inventory, endpoints, exposure, "
     "certificates, revocation)"},
    {"UnknownAgentKey", "[agent]\nscan_intervall = \"15s\"\n",
     "bad.toml:2:1: unknown key \"scan_intervall\" in [agent] (allowed: scan_interval, "
     "probe_interval, posture_interval, probe_timeout, probe_concurrency, probe_spread, jitter)"},
    {"ProbeSpreadBeyondTheInterval", "[agent]\nprobe_interval = \"30s\"\nprobe_spread = \"45s\"\n",
     "bad.toml:3:16: agent.probe_spread: must not exceed agent.probe_interval (30s), got \"45s\""},
    {"ProbeSpreadBeyondTheDefaultInterval", "[agent]\nprobe_spread = \"2m\"\n",
     "bad.toml:2:16: agent.probe_spread: must not exceed agent.probe_interval (1m), got \"2m\""},
    {"ProbeSpreadWrongType", "[agent]\nprobe_spread = 10\n",
     "bad.toml:2:16: agent.probe_spread: expected a duration string such as \"30s\" or \"auto\", "
     "got integer"},
    {"ProbeSpreadBadWord", "[agent]\nprobe_spread = \"half\"\n",
     "bad.toml:2:16: agent.probe_spread: invalid duration \"half\": expected a number like \"15s\" "
     "or \"1m30s\""},
    {"UnknownRevocationKey", "[revocation]\ncrl_max = 1\n",
     "bad.toml:2:1: unknown key \"crl_max\" in [revocation] (allowed: crl, crl_max_bytes, "
     "crl_cache_entries)"},
    {"CrlMaxBytesTooSmall", "[revocation]\ncrl_max_bytes = 10\n",
     "bad.toml:2:17: revocation.crl_max_bytes: 10 is out of range [1024, 268435456]"},
    {"CrlCacheEntriesZero", "[revocation]\ncrl_cache_entries = 0\n",
     "bad.toml:2:21: revocation.crl_cache_entries: 0 is out of range [1, 10000]"},
    {"PostureIntervalZero", "[agent]\nposture_interval = \"0s\"\n",
     "bad.toml:2:20: agent.posture_interval: duration must be greater than zero"},
    {"PostureIntervalWrongType", "[agent]\nposture_interval = 3600\n",
     "bad.toml:2:20: agent.posture_interval: expected a duration string such as \"15s\", got "
     "integer"},
    {"DurationWrongType", "[agent]\nscan_interval = 15\n",
     "bad.toml:2:17: agent.scan_interval: expected a duration string such as \"15s\", got integer"},
    {"DurationBadUnit", "[agent]\nprobe_timeout = \"5x\"\n",
     "bad.toml:2:17: agent.probe_timeout: invalid duration \"5x\": unit must be one of ms, s, m, "
     "h, d, w, y"},
    {"DurationZero", "[agent]\nprobe_interval = \"0s\"\n",
     "bad.toml:2:18: agent.probe_interval: duration must be greater than zero"},
    {"DurationNegative", "[agent]\nscan_interval = \"-5s\"\n",
     "bad.toml:2:17: agent.scan_interval: invalid duration \"-5s\": expected a number like \"15s\" "
     "or \"1m30s\""},
    {"DurationWrongOrder", "[agent]\nscan_interval = \"1s1m\"\n",
     "bad.toml:2:17: agent.scan_interval: invalid duration \"1s1m\": units must go from largest "
     "to smallest"},
    {"ConcurrencyZero", "[agent]\nprobe_concurrency = 0\n",
     "bad.toml:2:21: agent.probe_concurrency: 0 is out of range [1, 4096]"},
    {"JitterTooLarge", "[agent]\njitter = 0.9\n",
     "bad.toml:2:10: agent.jitter: 0.900000 is out of range [0.000000, 0.500000]"},
    {"PortOutOfRange", "[discovery]\ntls_ports = [443, 70000]\n",
     "bad.toml:2:19: discovery.tls_ports: port 70000 is out of range [1, 65535]"},
    {"PortZero", "[discovery]\ntls_ports = [0]\n",
     "bad.toml:2:14: discovery.tls_ports: port 0 is out of range [1, 65535]"},
    {"PortWrongType", "[discovery]\ntls_ports = [443, \"8443\"]\n",
     "bad.toml:2:19: discovery.tls_ports: expected a port number, got string"},
    {"NamespacesBadValue", "[discovery]\nnamespaces = \"some\"\n",
     "bad.toml:2:14: discovery.namespaces: must be \"all\" or \"host\", got \"some\""},
    {"ProcessWalkBadValue", "[inventory]\nprocess_walk = \"ebpf\"\n",
     "bad.toml:2:16: inventory.process_walk: must be \"auto\" or \"procfs\", got \"ebpf\""},
    {"ConnectionTrackingMaxNegative", "[inventory]\nconnection_tracking_max = -1\n",
     "bad.toml:2:27: inventory.connection_tracking_max: -1 is out of range [0, 16000000]"},
    {"DiscoveryUnknownKey", "[discovery]\nhttps = true\n",
     "bad.toml:2:1: unknown key \"https\" in [discovery] (allowed: enabled, tls_ports, "
     "namespaces, server_name, ca_file, ca_path, http)"},
    {"DiscoveryHttpWrongType", "[discovery]\nhttp = \"yes\"\n",
     "bad.toml:2:8: discovery.http: expected a boolean, got string"},
    {"DiscoveryMissingCaFile", "[discovery]\nca_file = \"/nonexistent/ca.pem\"\n",
     "bad.toml:2:11: discovery.ca_file: cannot read \"/nonexistent/ca.pem\""},
    {"TelemetryPathRelative", "[web]\ntelemetry_path = \"metrics\"\n",
     "bad.toml:2:18: web.telemetry_path: must start with \"/\""},
    {"ListenAddressEmpty", "[web]\nlisten_address = []\n",
     "bad.toml:2:18: web.listen_address: needs at least one address"},
    {"SectionNotTable", "agent = 5\n", "bad.toml:1:9: agent: expected a table, got integer"},
    {"EndpointMissingTarget", "[[endpoints]]\nserver_name = \"x\"\n",
     "bad.toml:1:1: endpoints: missing required key \"target\""},
    {"EndpointNoPort", "[[endpoints]]\ntarget = \"example.com\"\n",
     "bad.toml:2:10: endpoints.target: invalid address \"example.com\": missing port (expected "
     "\"host:port\")"},
    {"EndpointBadPort", "[[endpoints]]\ntarget = \"example.com:99999\"\n",
     "bad.toml:2:10: endpoints.target: invalid address \"example.com:99999\": port must be a "
     "number "
     "from 1 to 65535"},
    {"EndpointMissingHost", "[[endpoints]]\ntarget = \":443\"\n",
     "bad.toml:2:10: endpoints.target: missing host in \":443\""},
    {"EndpointUnbracketedV6", "[[endpoints]]\ntarget = \"::1:443\"\n",
     "bad.toml:2:10: endpoints.target: invalid address \"::1:443\": IPv6 addresses need brackets, "
     "as in \"[::1]:443\""},
    {"EndpointUnknownKey", "[[endpoints]]\ntarget = \"a:1\"\nsni = \"b\"\n",
     "bad.toml:3:1: unknown key \"sni\" in [[endpoints]] (allowed: target, server_name, ca_file, "
     "ca_path, cert_file, key_file, ip_family, timeout, http, http_path, plain_http_companion, "
     "max_addresses)"},
    {"EndpointDuplicate", "[[endpoints]]\ntarget = \"a:1\"\n[[endpoints]]\ntarget = \"a:1\"\n",
     "bad.toml:3:1: endpoints: duplicate endpoint \"a:1\" with server_name \"a\""},
    {"EndpointMissingCaFile",
     "[[endpoints]]\ntarget = \"a:1\"\nca_file = \"/nonexistent/ca.pem\"\n",
     "bad.toml:3:11: endpoints.ca_file: cannot read \"/nonexistent/ca.pem\""},
    {"EndpointBadFamily", "[[endpoints]]\ntarget = \"a:1\"\nip_family = \"ip4\"\n",
     "bad.toml:3:13: endpoints.ip_family: must be \"any\", \"ipv4\" or \"ipv6\", got \"ip4\""},
    {"EndpointCompanionZero", "[[endpoints]]\ntarget = \"a:1\"\nplain_http_companion = 0\n",
     "bad.toml:3:24: endpoints.plain_http_companion: port 0 is out of range [1, 65535]"},
    {"EndpointsNotArray", "[endpoints]\ntarget = \"a:1\"\n",
     "bad.toml:1:1: endpoints: expected an array of tables ([[endpoints]]), got table"},
    {"DuplicateKey", "[agent]\nscan_interval = \"1s\"\nscan_interval = \"2s\"\n",
     "bad.toml:3:17: Error while parsing key-value pair: cannot redefine existing string "
     "'scan_interval'"},
    {"NestedDottedKeysTooDeep",
     "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a = 1\n",
     "bad.toml:1:66: nested more than 32 levels deep (tables, arrays, inline tables and dotted "
     "keys counted together)"},
    {"NestedArraysTooDeep", "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n",
     "bad.toml:1:37: nested more than 32 levels deep (tables, arrays, inline tables and dotted "
     "keys counted together)"},
    {"NestedInlineTablesTooDeep",
     "x = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a "
     "= {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = {a = \n",
     "bad.toml:1:165: nested more than 32 levels deep (tables, arrays, inline tables and dotted "
     "keys counted together)"},
    {"NestedHeaderTooDeep", "[a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a]\n",
     "bad.toml:1:65: nested more than 32 levels deep (tables, arrays, inline tables and dotted "
     "keys counted together)"},
    {"NestedHeaderAndKeyTooDeep",
     "[a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a]\nb.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b = 1\n",
     "bad.toml:2:24: nested more than 32 levels deep (tables, arrays, inline tables and dotted "
     "keys counted together)"},
    {"LongKeyQuotedAsExcerpt",
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
     "kkkkkkk = 1\n",
     "bad.toml:1:1: unknown key "
     "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\xE2\x80\xA6\" in the top "
     "level (allowed: agent, web, discovery, inventory, endpoints, exposure, "
     "certificates, revocation)"},
    {"ControlCharacterInKeyEscaped", "\"a\\u0001\\u001b[31m\" = 1\n",
     "bad.toml:1:1: unknown key \"a\\x01\\x1b[31m\" in the top level (allowed: agent, web, "
     "discovery, inventory, endpoints, exposure, "
     "certificates, revocation)"},
    {"InvalidUtf8Rejected", "[discovery]\nnamespaces = \"\xff\"\n",
     "bad.toml:2:14: Encountered invalid utf-8 sequence"},
    {"ListenAddressPortTooLarge", "[web]\nlisten_address = \":99999\"\n",
     "bad.toml:2:18: web.listen_address: invalid address \":99999\": port must be a number from 0 "
     "to 65535"},
    {"ListenAddressExtraColon", "[web]\nlisten_address = [\"127.0.0.1:0\", \"host:port:extra\"]\n",
     "bad.toml:2:34: web.listen_address: invalid address \"host:port:extra\": port must be a "
     "number from 0 to 65535"},
    {"ListenAddressTrailingGarbage", "[web]\nlisten_address = \"[::1]:19443x\"\n",
     "bad.toml:2:18: web.listen_address: invalid address \"[::1]:19443x\": port must be a number "
     "from 0 to 65535"},
    {"ListenAddressWrongType", "[web]\nlisten_address = 19443\n",
     "bad.toml:2:18: web.listen_address: expected a string or an array of strings, got integer"},
};

INSTANTIATE_TEST_SUITE_P(Table,
                         BadConfigTest,
                         testing::ValuesIn(kBadConfigs),
                         testing_support::BadConfigName);

}  // namespace
}  // namespace portwarden::config
