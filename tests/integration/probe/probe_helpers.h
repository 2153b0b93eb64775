#pragma once

// Shared pieces of the prober's integration tests: one test-time PKI per process, and
// helpers that run a real probe cycle and render its metrics.
#include <ctime>
#include <functional>
#include <string>

#include "agent/config/config.h"
#include "agent/probe/openssl_prober.h"
#include "tests/integration/probe/tls_fixture.h"

namespace portwarden::testing {

/// Every certificate the scenarios need, generated once per test process with exact dates.
struct TestPki {
  TempDir dir;
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  Pki pki{dir.path()};
  Cert root, intermediate, short_intermediate, other_root;
  Cert leaf, leaf_rsa, leaf_expiring, leaf_expired, leaf_not_yet, leaf_self_signed;
  Cert leaf_under_short, client;
  std::string intermediate_chain;  ///< intermediate.pem (for -cert_chain)
  std::string client_bundle;       ///< client cert + intermediate
};

/// The process-wide PKI (built on first use, removed at exit).
const TestPki& SharedPki();

/// Probes 127.0.0.1:port once with a fresh runner; `tweak` adjusts the endpoint.
probe::ProbeResult ProbeOnce(std::uint16_t port,
                             const std::string& server_name,
                             const std::string& ca_file,
                             const std::function<void(config::EndpointConfig&)>& tweak = {});

/// A one-endpoint config for 127.0.0.1:port.
config::Config OneEndpoint(std::uint16_t port,
                           const std::string& server_name,
                           const std::string& ca_file);

/// Prometheus text of the tls metric group for `report`.
std::string TlsMetricsText(const probe::ProbeReport& report);

/// "<name>{target=\"127.0.0.1:<port>\",address=...,server_name=...,source=\"config\"" prefix.
std::string SeriesPrefix(const std::string& name,
                         std::uint16_t port,
                         const std::string& server_name);

}  // namespace portwarden::testing
