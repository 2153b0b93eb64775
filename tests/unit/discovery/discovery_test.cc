// The discovery stage (pure): listeners on tls_ports become probe targets; in a namespace the
// agent could not enter, through that namespace's own address or not at all.
#include "agent/discovery/discovery.h"

#include <gtest/gtest.h>

#include "agent/config/cidr.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::discovery {
namespace {

inventory::Listener Tcp(const std::string& address,
                        std::uint16_t port,
                        const std::string& netns = "host",
                        const std::string& path = "",
                        std::uint64_t inode = 0) {
  inventory::Listener listener;
  listener.protocol = Protocol::kTcp;
  listener.family =
      address.find(':') != std::string::npos ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  listener.address = address;
  listener.port = port;
  listener.netns = netns;
  listener.netns_path = path;
  listener.netns_inode = inode;
  return listener;
}

IpAddress Ip(const std::string& text) {
  auto address = config::ParseIpAddress(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

Discovery DiscoverIn(const std::vector<inventory::Listener>& listeners,
                     const std::vector<inventory::NamespaceView>& namespaces,
                     const config::DiscoverySettings& settings) {
  return DiscoverTargets(listeners, namespaces, settings, "node-1");
}

TEST(DiscoveryTest, TlsPortsOnlyLoopbackForWildcardsNamespacedTargets) {
  config::Config config = config::Defaults();
  config.discovery.server_name = "host.example";
  auto udp = Tcp("0.0.0.0", 443);
  udp.protocol = Protocol::kUdp;
  const std::vector<inventory::Listener> listeners{Tcp("0.0.0.0", 443),
                                                   Tcp("::", 8443),
                                                   Tcp("10.0.0.5", 443),
                                                   Tcp("0.0.0.0", 22),
                                                   udp,
                                                   Tcp("0.0.0.0", 443, "web", "/run/netns/web")};
  const auto targets = DiscoverIn(listeners, {}, config.discovery).targets;
  ASSERT_EQ(targets.size(), 4U);
  EXPECT_EQ(targets[0].endpoint.target, "127.0.0.1:443");
  EXPECT_EQ(targets[0].endpoint.host, "127.0.0.1");
  EXPECT_EQ(targets[0].endpoint.server_name, "host.example");
  EXPECT_EQ(targets[0].source, probe::TargetSource::kDiscovered);
  EXPECT_TRUE(targets[0].netns_path.empty());
  EXPECT_EQ(targets[1].endpoint.target, "[::1]:8443");
  EXPECT_EQ(targets[2].endpoint.target, "10.0.0.5:443");
  EXPECT_EQ(targets[3].endpoint.target, "web/127.0.0.1:443");
  EXPECT_EQ(targets[3].netns_path, "/run/netns/web");
  EXPECT_FALSE(targets[0].endpoint.http);  // HTTP checks of discovered listeners are opt-in.
  EXPECT_TRUE(targets[0].endpoint.ca_file.empty());
  config.discovery.http = true;
  config.discovery.ca_file = "/etc/internal-ca.pem";
  for (const auto& target : DiscoverIn(listeners, {}, config.discovery).targets) {
    EXPECT_TRUE(target.endpoint.http);
    EXPECT_EQ(target.endpoint.ca_file, "/etc/internal-ca.pem");
    EXPECT_EQ(target.endpoint.http_path, "/");
  }
  config.discovery.enabled = false;
  const auto off = DiscoverIn(listeners, {}, config.discovery);
  EXPECT_TRUE(off.targets.empty());
  EXPECT_FALSE(off.stats.enabled);
}

TEST(DiscoveryTest, SniFallsBackToTheHostName) {
  const auto targets = DiscoverIn({Tcp("0.0.0.0", 443)}, {}, config::Defaults().discovery).targets;
  ASSERT_EQ(targets.size(), 1U);
  EXPECT_EQ(targets[0].endpoint.server_name, "node-1");
}

TEST(DiscoveryTest, EnteredNamespaceIsProbedFromInsideAtLoopback) {
  const std::vector<inventory::NamespaceView> views{
      {"host", 1, true, {Ip("192.0.2.1")}},
      {"web", 7, true, {Ip("127.0.0.1"), Ip("10.244.0.5"), Ip("::1"), Ip("fd00:1::5")}}};
  const auto result = DiscoverIn(
      {Tcp("0.0.0.0", 443, "web", "/proc/9/ns/net", 7), Tcp("::", 443, "web", "/proc/9/ns/net", 7),
       Tcp("127.0.0.1", 8443, "web", "/proc/9/ns/net", 7)},
      views, config::Defaults().discovery);
  ASSERT_EQ(result.targets.size(), 3U);
  EXPECT_EQ(result.targets[0].endpoint.target, "web/127.0.0.1:443");
  EXPECT_EQ(result.targets[0].netns_path, "/proc/9/ns/net");
  EXPECT_EQ(result.targets[1].endpoint.target, "web/[::1]:443");
  EXPECT_EQ(result.targets[2].endpoint.target, "web/127.0.0.1:8443");
  EXPECT_TRUE(result.unprobed.empty());
  EXPECT_EQ(result.stats.Count(TargetState::kInside), 3);
}

TEST(DiscoveryTest, NamespaceNotEnteredIsProbedThroughItsOwnAddress) {
  const std::string pod = "net:[7]";
  const std::vector<inventory::NamespaceView> views{
      {pod,
       7,
       false,
       {Ip("127.0.0.1"), Ip("::1"), Ip("fe80::1"), Ip("10.244.0.5"), Ip("fd00:1::5")}}};
  const auto in_pod = [&](const std::string& address, std::uint16_t port) {
    return Tcp(address, port, pod, "/proc/9/ns/net", 7);
  };
  const auto result =
      DiscoverIn({in_pod("0.0.0.0", 443), in_pod("::", 443), in_pod("10.244.0.5", 8443),
                  in_pod("fd00:1::5", 8443), in_pod("::ffff:0.0.0.0", 8443),
                  in_pod("127.0.0.1", 443), in_pod("::1", 8443)},
                 views, config::Defaults().discovery);
  ASSERT_EQ(result.targets.size(), 5U);
  for (const auto& target : result.targets) {
    EXPECT_TRUE(target.netns_path.empty()) << target.endpoint.target;  // from the agent's own
    EXPECT_EQ(target.netns, pod);
  }
  EXPECT_EQ(result.targets[0].endpoint.host, "10.244.0.5");  // wildcard: same family first
  EXPECT_EQ(result.targets[0].endpoint.target, "net:[7]/10.244.0.5:443");
  EXPECT_EQ(result.targets[1].endpoint.host, "fd00:1::5");  // not the link-local one
  EXPECT_EQ(result.targets[1].endpoint.target, "net:[7]/[fd00:1::5]:443");
  EXPECT_EQ(result.targets[2].endpoint.host, "10.244.0.5");  // a specific bind: itself
  EXPECT_EQ(result.targets[3].endpoint.host, "fd00:1::5");
  EXPECT_EQ(result.targets[4].endpoint.host, "10.244.0.5");  // v4-mapped wildcard is IPv4
  ASSERT_EQ(result.unprobed.size(), 2U);
  EXPECT_EQ(result.unprobed[0].target, "net:[7]/127.0.0.1:443");
  EXPECT_EQ(result.unprobed[0].state, TargetState::kLoopbackOnly);
  EXPECT_EQ(result.unprobed[1].target, "net:[7]/[::1]:8443");
  EXPECT_EQ(result.stats.Count(TargetState::kViaAddress), 5);
  EXPECT_EQ(result.stats.Count(TargetState::kLoopbackOnly), 2);
  EXPECT_EQ(result.stats.Count(TargetState::kInside), 0);
}

TEST(DiscoveryTest, WildcardWithoutAnAddressOfItsFamily) {
  const std::vector<inventory::NamespaceView> views{
      {"p", 3, false, {Ip("127.0.0.1"), Ip("::1"), Ip("10.1.0.2")}}};
  auto dual = Tcp("::", 443, "p", "/proc/4/ns/net", 3);
  dual.v6only = false;
  auto v6only = Tcp("::", 8443, "p", "/proc/4/ns/net", 3);
  v6only.v6only = true;
  auto unknown = Tcp("::", 9443, "p", "/proc/4/ns/net", 3);  // /proc path: v6only unknown
  config::DiscoverySettings settings = config::Defaults().discovery;
  settings.tls_ports = {443, 8443, 9443};
  const auto result = DiscoverIn({dual, v6only, unknown}, views, settings);
  ASSERT_EQ(result.targets.size(), 2U);
  EXPECT_EQ(result.targets[0].endpoint.target, "p/10.1.0.2:443");  // dual-stack takes IPv4
  EXPECT_EQ(result.targets[1].endpoint.target, "p/10.1.0.2:9443");
  ASSERT_EQ(result.unprobed.size(), 1U);
  EXPECT_EQ(result.unprobed[0].target, "p/[::]:8443");
  EXPECT_EQ(result.unprobed[0].state, TargetState::kNoAddress);
  const auto empty = DiscoverIn({Tcp("0.0.0.0", 443, "q", "/proc/5/ns/net", 4)},
                                {{"q", 4, false, {Ip("127.0.0.1")}}}, settings);
  EXPECT_TRUE(empty.targets.empty());
  EXPECT_EQ(empty.stats.Count(TargetState::kNoAddress), 1);
}

TEST(DiscoveryTest, MetricHasEveryStateOnceEnabled) {
  state::Snapshot snapshot;
  exporters::prom::Families out;
  exporters::prom::AppendDiscoveryMetrics(snapshot, out);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_TRUE(out[0].metric.empty());  // before the first scan, or discovery off
  snapshot.discovery.enabled = true;
  snapshot.discovery.by_state[static_cast<std::size_t>(TargetState::kLoopbackOnly)] = 2;
  out.clear();
  exporters::prom::AppendDiscoveryMetrics(snapshot, out);
  ASSERT_EQ(out[0].metric.size(), kAllTargetStates.size());
  EXPECT_EQ(out[0].name, "portwarden_discovery_targets");
  EXPECT_EQ(out[0].metric[2].label[0].value, "not_probed_loopback");
  EXPECT_EQ(out[0].metric[2].gauge.value, 2);
}

}  // namespace
}  // namespace portwarden::discovery
