// Docker's legacy iptables layout (Docker 20.10, Debian 12's docker.io), built here in the
// kernel's layout: `-m addrtype --dst-type LOCAL` jumping to the nat DOCKER chain and its DNAT,
// then the filter FORWARD chain's `-o docker0` rules and DOCKER-USER. Each expectation is read
// off the rules by hand. The same rules loaded by iptables-legacy-restore are judged against
// the kernel in tests/integration/firewall/docker_verdicts_test.py.
#include <arpa/inet.h>  // <netinet/in.h> before the kernel headers
#include <linux/netfilter/xt_addrtype.h>

#include <gtest/gtest.h>

#include "agent/firewall/evaluate.h"
#include "agent/firewall/xt_image.h"
#include "tests/unit/firewall/xt_builder.h"

namespace portwarden::firewall::testing {
namespace {

constexpr U128 kHost = 0xc6140001;       // 198.20.0.1 on eth0
constexpr U128 kContainer = 0xac110002;  // 172.17.0.2 behind docker0

XtExt Addrtype(std::uint16_t source, std::uint16_t dest, std::uint32_t flags = 0) {
  xt_addrtype_info_v1 info{};
  info.source = source, info.dest = dest, info.flags = flags;
  return Ext("addrtype", 1, info);
}

// nat: PREROUTING -m addrtype `prerouting_match` -j DOCKER; DOCKER: -i docker0 -j RETURN;
// ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80.
XtTableImage Nat(const XtExt& prerouting_match) {
  XtBuilder b;
  b.Hook(NF_INET_PRE_ROUTING);
  const std::size_t jump = b.Add({}, {prerouting_match}, Standard(0));
  b.Policy(NF_INET_PRE_ROUTING, kAccept);
  for (unsigned hook : {NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING}) {
    b.Hook(hook);
    b.Policy(hook, kAccept);
  }
  const std::size_t docker = b.Chain("DOCKER");
  b.Add({.iniface = "docker0"}, {}, Standard(kReturn));
  b.Add({.iniface = "docker0", .proto = 6, .inv_in = true}, {TcpDport(8080, 8080)},
        Dnat(static_cast<std::uint32_t>(kContainer), 80));
  b.Add({}, {}, Standard(kReturn));
  b.SetVerdict(jump, static_cast<int>(docker));
  return b.Build("nat");
}

// filter: FORWARD (policy drop) -j DOCKER-USER; -o docker0 -j DOCKER. DOCKER: -d 172.17.0.2
// ! -i docker0 -o docker0 -p tcp --dport 80 -j ACCEPT. DOCKER-USER: with `restrict`,
// -i eth0 ! -s 10.0.0.0/8 -j DROP; then -j RETURN.
XtTableImage Filter(bool restrict) {
  XtBuilder b;
  b.Hook(NF_INET_LOCAL_IN);
  b.Policy(NF_INET_LOCAL_IN, kAccept);
  b.Hook(NF_INET_FORWARD);
  const std::size_t to_user = b.Add({}, {}, Standard(0));
  const std::size_t to_docker = b.Add({.outiface = "docker0"}, {}, Standard(0));
  b.Policy(NF_INET_FORWARD, kDrop);
  b.Hook(NF_INET_LOCAL_OUT);
  b.Policy(NF_INET_LOCAL_OUT, kAccept);
  const std::size_t docker = b.Chain("DOCKER");
  b.Add({.dst = kContainer,
         .dmsk = 0xffffffff,
         .iniface = "docker0",
         .proto = 6,
         .inv_in = true,
         .outiface = "docker0"},
        {TcpDport(80, 80)}, Standard(kAccept));
  b.Add({}, {}, Standard(kReturn));
  const std::size_t user = b.Chain("DOCKER-USER");
  if (restrict) {
    b.Add({.src = kTen, .smsk = kSlash8, .iniface = "eth0", .inv_src = true}, {}, Standard(kDrop));
  }
  b.Add({}, {}, Standard(kReturn));
  b.SetVerdict(to_user, static_cast<int>(user));
  b.SetVerdict(to_docker, static_cast<int>(docker));
  return b.Build("filter");
}

// A connection to the host's 8080 from `from_public` sources on eth0 or docker0, followed
// through the DNAT to 172.17.0.2:80 leaving by `output`.
Evaluation Published(const Ruleset& ruleset, bool from_public, const std::string& output) {
  PacketClass packets;
  packets.port = 8080;
  packets.sources = from_public ? PublicSources(false) : PrivateSources(false);
  packets.destinations = IntervalSet({{kHost, kHost}});
  packets.local = packets.destinations;
  packets.interfaces = {"eth0", "docker0"};
  packets.dnat = DnatTarget{IntervalSet({{kContainer, kContainer}}), 80};
  packets.output_interface = output;
  return Evaluate(ruleset, packets);
}

TEST(XtDocker, DnatInTheUserChainIsAPublication) {
  const Ruleset ruleset = Translate({Nat(Addrtype(0, XT_ADDRTYPE_LOCAL)), Filter(false)});
  const auto publications = Publications(ruleset);
  ASSERT_EQ(publications.size(), 1U);
  EXPECT_EQ(publications[0].public_port, 8080);
  EXPECT_EQ(publications[0].address, kContainer);
  EXPECT_EQ(publications[0].port, 80);
  EXPECT_EQ(Published(ruleset, true, "docker0").verdict, Verdict::kAccept);
  EXPECT_EQ(Published(ruleset, false, "docker0").verdict, Verdict::kAccept);
}

TEST(XtDocker, DockerUserRestrictionDropsPublicSources) {
  const Ruleset ruleset = Translate({Nat(Addrtype(0, XT_ADDRTYPE_LOCAL)), Filter(true)});
  EXPECT_EQ(Published(ruleset, true, "docker0").verdict, Verdict::kDrop);
  EXPECT_EQ(Published(ruleset, false, "docker0").verdict, Verdict::kAccept);
}

TEST(XtDocker, AnOutputInterfaceNotKnownIsUnknown) {
  const Ruleset ruleset = Translate({Nat(Addrtype(0, XT_ADDRTYPE_LOCAL)), Filter(false)});
  const auto unknown = Published(ruleset, true, "");
  EXPECT_EQ(unknown.verdict, Verdict::kUnknown);
  EXPECT_EQ(unknown.reason, "oifname where the output interface is not known");
  EXPECT_EQ(Published(ruleset, true, "eth1").verdict, Verdict::kDrop);  // not docker0: policy
}

TEST(XtDocker, AddrtypeOtherThanDestinationLocalIsUnknown) {
  for (const auto& match : {Addrtype(XT_ADDRTYPE_LOCAL, 0), Addrtype(0, XT_ADDRTYPE_BROADCAST),
                            Addrtype(0, XT_ADDRTYPE_LOCAL, XT_ADDRTYPE_LIMIT_IFACE_IN)}) {
    const Ruleset ruleset = Translate({Nat(match), Filter(false)});
    const auto verdict = Published(ruleset, true, "docker0");
    EXPECT_EQ(verdict.verdict, Verdict::kUnknown);
    EXPECT_EQ(verdict.reason, "xt match addrtype (other than --dst-type LOCAL)");
  }
  // `! --dst-type LOCAL`: the host's own address never jumps, so nothing is published.
  const Ruleset negated =
      Translate({Nat(Addrtype(0, XT_ADDRTYPE_LOCAL, XT_ADDRTYPE_INVERT_DEST)), Filter(false)});
  EXPECT_EQ(Published(negated, true, "docker0").verdict, Verdict::kDrop);
}

}  // namespace
}  // namespace portwarden::firewall::testing
