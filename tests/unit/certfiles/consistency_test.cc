// Consistency across ports over hand-built probe and posture reports (pure functions): the
// grouping every aspect shares, then each aspect's own value.
#include "agent/certfiles/consistency.h"

#include <map>
#include <tuple>

#include <gtest/gtest.h>

namespace portwarden::certfiles {
namespace {

probe::ProbeResult Served(const std::string& target,
                          const std::string& server_name,
                          const std::string& fingerprint) {
  probe::ProbeResult result;
  result.target = target;
  result.address = target;
  result.server_name = server_name;
  probe::CertificateInfo leaf;
  leaf.fingerprint_sha256 = fingerprint;
  result.chain.push_back(leaf);
  return result;
}

// A posture result that reached the server and accepted `accepted` (kVersions names), each
// with the suite of the same index in `ciphers` (or "TLS_AES_128_GCM_SHA256").
posture::PostureResult Posture(const std::string& target,
                               const std::string& server_name,
                               const std::vector<std::string>& accepted,
                               const std::vector<std::string>& ciphers = {}) {
  posture::PostureResult result;
  result.target = target;
  result.address = target;
  result.server_name = server_name;
  result.reached = true;
  for (const auto version : posture::kVersions) {
    posture::VersionResult entry{.version = std::string(version)};
    for (std::size_t i = 0; i < accepted.size(); ++i) {
      if (accepted[i] == version) {
        entry.accepted = true;
        entry.cipher = i < ciphers.size() ? ciphers[i] : "TLS_AES_128_GCM_SHA256";
      }
    }
    result.versions.push_back(entry);
  }
  return result;
}

probe::GroupVerdict Group(const std::string& name, std::optional<bool> supported) {
  return {.group = name,
          .supported = supported,
          .error_reason = supported ? "" : "timeout",
          .detail = ""};
}

// (host, server_name, aspect) -> inconsistent.
using Verdicts = std::map<std::tuple<std::string, std::string, std::string>, bool>;

Verdicts ByKey(const std::vector<PostureInconsistency>& entries) {
  Verdicts out;
  for (const auto& entry : entries) {
    EXPECT_TRUE(
        out.emplace(std::tuple(entry.host, entry.server_name, entry.aspect), entry.inconsistent)
            .second)
        << entry.host << " " << entry.aspect << " twice";
  }
  return out;
}

TEST(ConsistencyTest, TargetHost) {
  EXPECT_EQ(TargetHost("WWW.Example.Test:443"), "www.example.test");
  EXPECT_EQ(TargetHost("[::1]:8443"), "::1");
  EXPECT_EQ(TargetHost("Not A Target"), "not a target");
  // Discovered listeners of another namespace: the namespace is part of the host.
  EXPECT_EQ(TargetHost("ns1/127.0.0.1:443"), "ns1/127.0.0.1");
  EXPECT_EQ(TargetHost("ns1/[::1]:8443"), "ns1/::1");
}

TEST(ConsistencyTest, LeafConsistencyAcrossPorts) {
  probe::ProbeReport probes;
  probes.results.push_back(Served("127.0.0.1:443", "site", "a"));
  probes.results.push_back(Served("127.0.0.1:8443", "site", "b"));
  probes.results.push_back(Served("10.0.0.1:443", "site", "a"));
  probes.results.push_back(Served("10.0.0.1:8443", "site", "a"));
  probes.results.push_back(Served("[::1]:443", "alone", "a"));
  probes.results.push_back(Served("[::1]:8443", "alone", "b"));
  probes.results.back().chain.clear();  // a failed probe: nothing served, nothing compared
  // The same addresses in another namespace are another host.
  probes.results.push_back(Served("ns1/[::1]:443", "site", "a"));
  probes.results.push_back(Served("ns1/[::1]:8443", "site", "b"));
  probes.results.push_back(Served("ns2/[::1]:443", "site", "c"));
  EXPECT_EQ(ByKey(FindInconsistentLeaves(probes)),
            (Verdicts{{{"10.0.0.1", "site", "leaf_certificate"}, false},
                      {{"127.0.0.1", "site", "leaf_certificate"}, true},
                      {{"ns1/::1", "site", "leaf_certificate"}, true}}));
}

TEST(ConsistencyTest, ProtocolSetsPerPort) {
  posture::PostureReport report;
  // 443 takes 1.2 and 1.3, 8443 only 1.2: "standardize SSL configurations".
  report.results.push_back(Posture("Host.Test:443", "site", {"TLS 1.2", "TLS 1.3"}));
  report.results.push_back(Posture("host.test:8443", "site", {"TLS 1.2"}));
  // Two ports that agree, one of them on two addresses.
  report.results.push_back(Posture("ok.test:443", "site", {"TLS 1.2", "TLS 1.3"}));
  report.results.push_back(Posture("ok.test:443", "site", {"TLS 1.3", "TLS 1.2"}));
  report.results.push_back(Posture("ok.test:8443", "site", {"TLS 1.2", "TLS 1.3"}));
  // Another server name on the same host and ports: a group of its own.
  report.results.push_back(Posture("host.test:443", "other", {"TLS 1.3"}));
  report.results.push_back(Posture("host.test:8443", "other", {"TLS 1.3"}));
  // A port that was not reached says nothing: no group with two ports.
  report.results.push_back(Posture("down.test:443", "site", {"TLS 1.2"}));
  report.results.push_back(Posture("down.test:8443", "site", {}));
  report.results.back().reached = false;
  EXPECT_EQ(ByKey(FindInconsistentProtocols(report)),
            (Verdicts{{{"host.test", "other", "protocols"}, false},
                      {{"host.test", "site", "protocols"}, true},
                      {{"ok.test", "site", "protocols"}, false}}));
}

TEST(ConsistencyTest, AddressesOfOnePortThatDisagreeDifferFromAPortThatAgrees) {
  posture::PostureReport report;
  report.results.push_back(Posture("h:443", "s", {"TLS 1.2"}));
  report.results.push_back(Posture("h:443", "s", {"TLS 1.3"}));  // a second address
  report.results.push_back(Posture("h:8443", "s", {"TLS 1.2"}));
  EXPECT_TRUE(FindInconsistentProtocols(report).at(0).inconsistent);
}

TEST(ConsistencyTest, CiphersComparedOnTheVersionsBothAccept) {
  posture::PostureReport report;
  // Different protocol sets, same suite where both accept: protocols yes, ciphers no.
  report.results.push_back(
      Posture("a:443", "s", {"TLS 1.2", "TLS 1.3"}, {"ECDHE_GCM", "TLS_AES_128_GCM_SHA256"}));
  report.results.push_back(Posture("a:8443", "s", {"TLS 1.2"}, {"ECDHE_GCM"}));
  // Same protocols, another suite chosen at TLS 1.2.
  report.results.push_back(Posture("b:443", "s", {"TLS 1.2"}, {"ECDHE_GCM"}));
  report.results.push_back(Posture("b:8443", "s", {"TLS 1.2"}, {"RSA_CBC"}));
  // No version in common: nothing to compare, no entry.
  report.results.push_back(Posture("c:443", "s", {"TLS 1.2"}, {"ECDHE_GCM"}));
  report.results.push_back(Posture("c:8443", "s", {"TLS 1.3"}));
  EXPECT_EQ(ByKey(FindInconsistentCiphers(report)),
            (Verdicts{{{"a", "s", "ciphers"}, false}, {{"b", "s", "ciphers"}, true}}));
  EXPECT_EQ(ByKey(FindInconsistentProtocols(report)), (Verdicts{{{"a", "s", "protocols"}, true},
                                                                {{"b", "s", "protocols"}, false},
                                                                {{"c", "s", "protocols"}, true}}));
}

TEST(ConsistencyTest, GroupsOnlyWhereEveryVerdictIsKnown) {
  posture::PostureReport report;
  auto with = [&](const std::string& target, std::vector<probe::GroupVerdict> groups) {
    report.results.push_back(Posture(target, "s", {"TLS 1.3"}));
    report.results.back().groups = std::move(groups);
  };
  with("a:443", {Group("x25519", true), Group("X25519MLKEM768", true)});
  with("a:8443", {Group("x25519", true), Group("X25519MLKEM768", false)});
  with("b:443", {Group("x25519", true), Group("secp256r1", false)});
  with("b:8443", {Group("x25519", true), Group("secp256r1", false)});
  with("c:443", {Group("x25519", true)});
  with("c:8443", {Group("x25519", std::nullopt)});  // undetermined: left out
  with("d:443", {Group("x25519", true)});
  with("d:8443", {});  // no TLS 1.3 there: left out (the protocols aspect says it)
  EXPECT_EQ(ByKey(FindInconsistentGroups(report)),
            (Verdicts{{{"a", "s", "groups"}, true}, {{"b", "s", "groups"}, false}}));
}

TEST(ConsistencyTest, AllAspectsTogether) {
  probe::ProbeReport probes;
  probes.results.push_back(Served("h:443", "s", "leaf"));
  probes.results.push_back(Served("h:8443", "s", "leaf"));
  posture::PostureReport report;
  report.results.push_back(Posture("h:443", "s", {"TLS 1.2", "TLS 1.3"}));
  report.results.push_back(Posture("h:8443", "s", {"TLS 1.2"}));
  EXPECT_EQ(ByKey(FindInconsistencies(probes, report)),
            (Verdicts{{{"h", "s", "leaf_certificate"}, false},
                      {{"h", "s", "protocols"}, true},
                      {{"h", "s", "ciphers"}, false}}));
  // Before the first posture run only the leaf aspect exists.
  EXPECT_EQ(FindInconsistencies(probes, {}).size(), 1U);
}

}  // namespace
}  // namespace portwarden::certfiles
