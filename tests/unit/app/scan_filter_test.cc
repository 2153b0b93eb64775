#include "agent/app/scan_filter.h"

#include <gtest/gtest.h>

#include "agent/app/state_fetch.h"

namespace portwarden::app {
namespace {

inventory::InventoryReport Report() {
  inventory::InventoryReport report;
  report.success = true;
  auto add = [&](Protocol protocol, std::string address, std::uint16_t port, std::string netns,
                 std::string comm) {
    inventory::Listener l;
    l.protocol = protocol;
    l.address = std::move(address);
    l.port = port;
    l.netns = std::move(netns);
    l.process.comm = std::move(comm);
    l.process.exe = "/usr/sbin/" + l.process.comm;
    report.listeners.push_back(l);
  };
  add(Protocol::kTcp, "0.0.0.0", 22, "host", "sshd");
  add(Protocol::kTcp, "127.0.0.1", 8443, "host", "java");
  add(Protocol::kUdp, "0.0.0.0", 53, "pod-a", "coredns");
  add(Protocol::kTcp, "::", 443, "pod-b", "nginx");
  return report;
}

policy::PolicyReport Verdicts() {
  policy::PolicyReport policy;
  policy.verdicts = {{"a", false, {}}, {"b", true, {}}, {"c", false, {}}, {"d", true, {}}};
  policy.first_seen_timestamps = {1, 2, 3, 4};
  return policy;
}

std::vector<std::uint16_t> Ports(const ScanFilter& filter) {
  const auto out = ApplyScanFilter(filter, Report(), Verdicts());
  EXPECT_EQ(out.total, 4u);
  EXPECT_EQ(out.policy.verdicts.size(), out.inventory.listeners.size());
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < out.inventory.listeners.size(); ++i) {
    ports.push_back(out.inventory.listeners[i].port);
    EXPECT_EQ(out.policy.first_seen_timestamps[i],
              static_cast<double>(out.inventory.listeners[i].port == 22     ? 1
                                  : out.inventory.listeners[i].port == 8443 ? 2
                                  : out.inventory.listeners[i].port == 53   ? 3
                                                                            : 4));
  }
  return ports;
}

TEST(ScanFilterTest, EachCriterionAndTheirConjunction) {
  using V = std::vector<std::uint16_t>;
  EXPECT_EQ(Ports({}), (V{22, 8443, 53, 443}));
  EXPECT_EQ(Ports({.ports = {{400, 9000}}}), (V{8443, 443}));
  EXPECT_EQ(Ports({.protocol = Protocol::kUdp}), (V{53}));
  EXPECT_EQ(Ports({.address = "127.0.0.1"}), (V{8443}));
  EXPECT_EQ(Ports({.netns = "pod-*"}), (V{53, 443}));
  EXPECT_EQ(Ports({.process = "/usr/sbin/ng*"}), (V{443}));  // the executable path matches too
  EXPECT_EQ(Ports({.process = "ssh?"}), (V{22}));
  EXPECT_EQ(Ports({.violations_only = true}), (V{8443, 443}));
  EXPECT_EQ(Ports({.netns = "host", .violations_only = true}), (V{8443}));
}

TEST(StateUrlTest, AppendsTheStatePathToABaseUrl) {
  EXPECT_EQ(StateUrl("http://h:19443"), "http://h:19443/api/state");
  EXPECT_EQ(StateUrl("http://h:19443/"), "http://h:19443/api/state");
  EXPECT_EQ(StateUrl("https://u:p@h/api/state"), "https://u:p@h/api/state");
}

}  // namespace
}  // namespace portwarden::app
