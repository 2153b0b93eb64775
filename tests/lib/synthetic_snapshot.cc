#include "tests/lib/synthetic_snapshot.h"

#include <string>

namespace portwarden::testing {
namespace {

const std::vector<double> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                  0.1,   0.25,   0.5,   1,    2.5,   5};

std::string Address(std::size_t i, int port) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255) + ":" + std::to_string(port);
}

probe::CertificateInfo Certificate(std::size_t i, int pos, int round) {
  probe::CertificateInfo cert;
  cert.chain_pos = pos;
  cert.not_before = 1.7e9 + static_cast<double>(i);
  cert.not_after = 1.8e9 + static_cast<double>(i) + round;
  cert.subject_cn = pos == 0 ? "host" + std::to_string(i) + ".example.test" : "Test CA";
  cert.issuer_cn = "Test CA";
  cert.serial = std::to_string(100000 + i * 2 + static_cast<std::size_t>(pos));
  cert.fingerprint_sha256 = std::string(64, static_cast<char>('a' + (i + pos) % 6));
  cert.san = pos == 0 ? cert.subject_cn : "";
  cert.key_algorithm = "EC";
  cert.key_bits = 256;
  cert.signature_algorithm = "ecdsa-with-SHA256";
  return cert;
}

probe::ProbeResult Result(const SyntheticShape& shape, std::size_t i, int round) {
  probe::ProbeResult result;
  result.address = Address(i, 8443);
  result.target = result.address;
  result.server_name = "host" + std::to_string(i) + ".example.test";
  result.timestamp = 1.75e9 + round;
  result.success = true;
  result.phases.connect = 0.0001 * static_cast<double>(i % 7 + 1);
  result.phases.handshake = 0.002 + 0.0001 * round;
  result.tls_version = "TLS 1.3";
  result.cipher = "TLS_AES_256_GCM_SHA384";
  result.group = "X25519";
  for (int pos = 0; pos < static_cast<int>(shape.chain_length); ++pos) {
    result.chain.push_back(Certificate(i, pos, round));
  }
  result.verified = true;
  result.verify_result = "ok";
  if (shape.http) {
    result.phases.http = 0.001;
    result.http_status = 200;
    result.hsts = true;
    result.hsts_max_age = 31536000;
  }
  return result;
}

std::shared_ptr<const probe::ProbeReport> Probes(const SyntheticShape& shape, int round) {
  auto report = std::make_shared<probe::ProbeReport>();
  report->handshake_bounds = kBounds;
  for (std::size_t i = 0; i < shape.endpoints; ++i) {
    probe::ProbeResult result = Result(shape, i, round);
    probe::ProbeCounters& counters = report->counters[probe::CountersKey(result)];
    counters.target = result.target;
    counters.address = result.address;
    counters.server_name = result.server_name;
    counters.probes_total = 10 + static_cast<std::uint64_t>(round);
    counters.handshake_bucket_counts.assign(kBounds.size(), counters.probes_total);
    counters.handshake_count = counters.probes_total;
    counters.handshake_sum = 0.002 * static_cast<double>(counters.probes_total);
    if (i % 10 == 0) {
      counters.failures_by_reason["connect_timeout"] = 1;
    }
    report->results.push_back(std::move(result));
  }
  return report;
}

inventory::Listener Listener(std::size_t i) {
  inventory::Listener listener;
  listener.address = i % 2 == 0 ? "0.0.0.0" : "10.0.0.1";
  listener.port = static_cast<std::uint16_t>(10000 + i % 50000);
  listener.netns = "host";
  listener.scope = i % 2 == 0 ? Scope::kPublic : Scope::kPrivate;
  listener.socket_count = 1;
  listener.process = {static_cast<int>(1000 + i), "server" + std::to_string(i % 40),
                      "/usr/sbin/server", "server" + std::to_string(i % 40) + ".service", 1};
  return listener;
}

}  // namespace

state::Snapshot SyntheticSnapshot(const SyntheticShape& shape, int round) {
  auto inventory = std::make_shared<inventory::InventoryReport>();
  auto policy = std::make_shared<policy::PolicyReport>();
  inventory->success = true;
  inventory->stats.series_cap = shape.listeners + 1;
  inventory->stats.sockets = static_cast<int>(shape.listeners);
  inventory->stats.namespaces_scanned = 1;
  policy->rule_names = {"admin-ports", "default"};
  const auto every = shape.violating_fraction > 0
                         ? static_cast<std::size_t>(1 / shape.violating_fraction)
                         : shape.listeners + 1;
  for (std::size_t i = 0; i < shape.listeners; ++i) {
    inventory->listeners.push_back(Listener(i));
    const bool violation = i % every == 0;
    policy->verdicts.push_back({violation ? "admin-ports" : "default", violation, {}});
    policy->first_seen_timestamps.push_back(1.75e9);
  }
  policy->appeared_total = shape.listeners;
  state::Snapshot snapshot;
  snapshot.inventory = std::move(inventory);
  snapshot.policy = std::move(policy);
  snapshot.probes = Probes(shape, round);
  snapshot.collectors = {{"inventory", true, 0.01, 1.75e9 + round, ""},
                         {"exposure", true, 0.001, 1.75e9 + round, ""},
                         {"tls", true, 1.5, 1.75e9 + round, ""}};
  snapshot.start_timestamp = 1.75e9;
  return snapshot;
}

}  // namespace portwarden::testing
