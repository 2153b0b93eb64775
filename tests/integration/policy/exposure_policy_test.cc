// The exposure policy against real listeners, real interfaces and the real inventory, each
// test inside its own network namespace (see netns_fixture.h).
#include <cstdio>
#include <fstream>

#include <prometheus/text_serializer.h>

#include "agent/core/log.h"
#include "exporters/prometheus/metric_groups.h"
#include "tests/integration/policy/netns_fixture.h"

namespace portwarden::policy {
namespace {

using testing_support::ChildListener;
using testing_support::ListenTcp;
using testing_support::NetnsTest;
using testing_support::ScanResult;
using testing_support::ScanWith;

// A public-scope address on the test's own veth: it exists only inside the test namespace.
constexpr const char* kPublicAddress = "203.0.114.10";

class ExposurePolicyTest : public NetnsTest {};

TEST_F(ExposurePolicyTest, DefaultsFlag8443AndAdminPortsOnPublicButAllow443) {
  AddAddress(std::string(kPublicAddress) + "/24");
  auto alt_https = ListenTcp("0.0.0.0", 8443);
  auto https = ListenTcp("0.0.0.0", 443);
  auto redis = ListenTcp(kPublicAddress, 6379);
  auto dual_stack = ListenTcp("::", 0, /*v6only=*/false);
  auto local = ListenTcp("::1", 0);
  ASSERT_TRUE(alt_https.ok() && https.ok() && redis.ok() && dual_stack.ok() && local.ok());
  PolicyEngine engine;
  const ScanResult scan = ScanWith("", engine);
  const auto expect = [&](const std::string& address, std::uint16_t port, Scope scope,
                          const std::string& rule, bool violation) {
    const auto i = scan.Find(address, port);
    ASSERT_TRUE(i) << address << ":" << port << " not in the inventory";
    EXPECT_EQ(scan.inventory.listeners[*i].scope, scope) << address << ":" << port;
    EXPECT_EQ(scan.policy.verdicts[*i].rule, rule) << address << ":" << port;
    EXPECT_EQ(scan.policy.verdicts[*i].violation, violation) << address << ":" << port;
  };
  expect("0.0.0.0", 8443, Scope::kPublic, "https-alt-internal", true);
  expect("0.0.0.0", 443, Scope::kPublic, "https-public", false);
  expect(kPublicAddress, 6379, Scope::kPublic, "database-internal", true);
  // IPv6 wildcard without V6ONLY also takes the IPv4 addresses: public, unmatched, reported.
  expect("::", dual_stack.port(), Scope::kPublic, "default", true);
  expect("::1", local.port(), Scope::kLoopback, "default", false);
}

TEST_F(ExposurePolicyTest, Loopback8443IsNotFlagged) {
  AddAddress(std::string(kPublicAddress) + "/24");
  auto loopback = ListenTcp("127.0.0.1", 8443);
  ASSERT_TRUE(loopback.ok());
  PolicyEngine engine;
  const ScanResult scan = ScanWith("", engine);
  const auto i = scan.Find("127.0.0.1", 8443);
  ASSERT_TRUE(i);
  EXPECT_EQ(scan.inventory.listeners[*i].scope, Scope::kLoopback);
  EXPECT_EQ(scan.policy.verdicts[*i].rule, "https-alt-internal");
  EXPECT_FALSE(scan.policy.verdicts[*i].violation);
}

TEST_F(ExposurePolicyTest, UserRuleAllows8443ForOneProcessOnly) {
  AddAddress("203.0.114.10/24");
  AddAddress("203.0.114.11/24");
  ChildListener tomcat("pw-tomcat", "203.0.114.10", 8443);
  ChildListener other("pw-other", "203.0.114.11", 8443);
  ASSERT_TRUE(tomcat.ready() && other.ready());
  PolicyEngine engine;
  const ScanResult scan = ScanWith(R"(
[[exposure.rules]]
name = "tomcat-public"
ports = [8443]
processes = ["pw-tomcat"]
allow = ["loopback", "link_local", "private", "public"]
)",
                                   engine);
  const auto allowed = scan.Find("203.0.114.10", 8443);
  const auto flagged = scan.Find("203.0.114.11", 8443);
  ASSERT_TRUE(allowed && flagged);
  EXPECT_EQ(scan.inventory.listeners[*allowed].process.comm, "pw-tomcat");
  EXPECT_EQ(scan.policy.verdicts[*allowed].rule, "tomcat-public");
  EXPECT_FALSE(scan.policy.verdicts[*allowed].violation);
  EXPECT_EQ(scan.inventory.listeners[*flagged].process.comm, "pw-other");
  EXPECT_EQ(scan.policy.verdicts[*flagged].rule, "https-alt-internal");
  EXPECT_TRUE(scan.policy.verdicts[*flagged].violation);
}

TEST_F(ExposurePolicyTest, ZoneOverrideTurnsPrivateInterfacePublic) {
  AddAddress("10.77.0.1/24");
  auto admin = ListenTcp("10.77.0.1", 8443);
  auto loopback = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(admin.ok() && loopback.ok());
  PolicyEngine plain_engine;
  const ScanResult plain = ScanWith("", plain_engine);
  const auto i = plain.Find("10.77.0.1", 8443);
  ASSERT_TRUE(i);
  EXPECT_EQ(plain.inventory.listeners[*i].scope, Scope::kPrivate);
  EXPECT_FALSE(plain.policy.verdicts[*i].violation);

  // Cloud 1:1 NAT: the private NIC is reachable from the internet. Loopback as well, here.
  PolicyEngine zoned_engine;
  const ScanResult zoned = ScanWith(R"(
[[exposure.zones]]
interface = "pw0"
scope = "public"

[[exposure.zones]]
cidr = "127.0.0.0/8"
scope = "public"
)",
                                    zoned_engine);
  const auto j = zoned.Find("10.77.0.1", 8443);
  const auto k = zoned.Find("127.0.0.1", loopback.port());
  ASSERT_TRUE(j && k);
  EXPECT_EQ(zoned.inventory.listeners[*j].scope, Scope::kPublic);
  EXPECT_EQ(zoned.policy.verdicts[*j].rule, "https-alt-internal");
  EXPECT_TRUE(zoned.policy.verdicts[*j].violation);
  EXPECT_EQ(zoned.inventory.listeners[*k].scope, Scope::kPublic);
  EXPECT_EQ(zoned.policy.verdicts[*k].rule, "default");
  EXPECT_TRUE(zoned.policy.verdicts[*k].violation);
}

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string RenderExposure(const ScanResult& scan) {
  state::Snapshot snapshot;
  snapshot.inventory = std::make_shared<inventory::InventoryReport>(scan.inventory);
  snapshot.policy = std::make_shared<PolicyReport>(scan.policy);
  exporters::prom::Families families;
  exporters::prom::AppendExposureMetrics(snapshot, families);
  return prometheus::TextSerializer().Serialize(families);
}

TEST_F(ExposurePolicyTest, NewListenerBetweenScansCountsAndLogsOnce) {
  log::Setup(log::Level::kInfo, log::Format::kLogfmt);
  auto steady = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(steady.ok());
  PolicyEngine engine;
  const ScanResult baseline = ScanWith("", engine);
  EXPECT_EQ(baseline.policy.appeared_total, 0u);

  auto fresh = ListenTcp("127.0.0.1", 0);
  ASSERT_TRUE(fresh.ok());
  const std::string line =
      "msg=\"Listener appeared\" netns=host proto=tcp address=127.0.0.1 port=" +
      std::to_string(fresh.port()) + " scope=loopback";
  testing::internal::CaptureStderr();
  const ScanResult second = ScanWith("", engine);
  const ScanResult third = ScanWith("", engine);
  const std::string logs = testing::internal::GetCapturedStderr();
  EXPECT_EQ(Count(logs, line), 1u) << logs;
  EXPECT_EQ(Count(logs, "Listener appeared"), 1u) << logs;
  EXPECT_EQ(second.policy.appeared_total, 1u);
  EXPECT_EQ(third.policy.appeared_total, 1u);
  EXPECT_NE(RenderExposure(third).find("portwarden_listener_changes_total{change=\"appeared\"} 1"),
            std::string::npos);
  // First-seen stays at the scan that found it.
  const auto i = second.Find("127.0.0.1", fresh.port());
  const auto j = third.Find("127.0.0.1", fresh.port());
  ASSERT_TRUE(i && j);
  EXPECT_EQ(second.policy.first_seen_timestamps[*i], third.policy.first_seen_timestamps[*j]);

  fresh.Close();
  testing::internal::CaptureStderr();
  const ScanResult fourth = ScanWith("", engine);
  const std::string gone = testing::internal::GetCapturedStderr();
  EXPECT_EQ(Count(gone,
                  "msg=\"Listener disappeared\" netns=host proto=tcp address=127.0.0.1 "
                  "port=" +
                      std::to_string(fresh.port())),
            1u)
      << gone;
  EXPECT_EQ(fourth.policy.disappeared_total, 1u);
}

// The real binary, as a cron job or CI pipeline would run it.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult RunScan(const std::string& config_text) {
  char path[] = "/tmp/portwarden-policy-XXXXXX";
  const int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "[discovery]\nnamespaces = \"host\"\n" << config_text;
  const std::string command = std::string(PORTWARDEN_BINARY) + " scan --config.file=" + path +
                              " --output=json --fail-on-violation 2>/dev/null";
  CommandResult result;
  if (std::FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
      result.output.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ::unlink(path);
  return result;
}

TEST_F(ExposurePolicyTest, ScanCommandFailsOnViolationWithRuleInJson) {
  AddAddress(std::string(kPublicAddress) + "/24");
  auto alt_https = ListenTcp("0.0.0.0", 8443);
  ASSERT_TRUE(alt_https.ok());
  const CommandResult flagged = RunScan("");
  EXPECT_EQ(flagged.exit_code, 3) << flagged.output;
  EXPECT_NE(flagged.output.find("\"port\":8443,\"scope\":\"public\""), std::string::npos)
      << flagged.output;
  EXPECT_NE(flagged.output.find("\"rule\":\"https-alt-internal\",\"violation\":true"),
            std::string::npos)
      << flagged.output;

  const CommandResult allowed = RunScan(
      "[[exposure.rules]]\nname = \"admin-public\"\nports = [8443]\n"
      "allow = [\"loopback\", \"link_local\", \"private\", \"public\"]\n");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_NE(allowed.output.find("\"rule\":\"admin-public\",\"violation\":false"), std::string::npos)
      << allowed.output;
}

}  // namespace
}  // namespace portwarden::policy
