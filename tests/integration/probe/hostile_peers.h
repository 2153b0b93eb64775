#pragma once

// The hostile peers of hostile_peers_main.cc, started as a child process for a test.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tests/integration/probe/tls_fixture.h"

namespace portwarden::testing {

/// Runs the hostile_peers program (its TLS peers serve `cert_chain`/`key`) until destroyed.
class HostilePeers {
 public:
  HostilePeers(const std::string& cert_chain, const std::string& key);

  /// The port of the peer named `name` (see hostile_peers_main.cc); fails the test if unknown.
  std::uint16_t Port(const std::string& name) const;

 private:
  std::unique_ptr<ChildProcess> process_;
  std::map<std::string, std::uint16_t> ports_;
};

}  // namespace portwarden::testing
