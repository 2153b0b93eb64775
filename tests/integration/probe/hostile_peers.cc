#include "tests/integration/probe/hostile_peers.h"

#include <sstream>

#include <gtest/gtest.h>

namespace portwarden::testing {

HostilePeers::HostilePeers(const std::string& cert_chain, const std::string& key)
    : process_(std::make_unique<ChildProcess>(
          std::vector<std::string>{HOSTILE_PEERS_BINARY, "--cert=" + cert_chain, "--key=" + key},
          "PEERS")) {
  std::istringstream line(process_->ready_line());
  for (std::string word; line >> word;) {
    const auto equals = word.find('=');
    if (equals != std::string::npos) {
      ports_[word.substr(0, equals)] =
          static_cast<std::uint16_t>(std::stoi(word.substr(equals + 1)));
    }
  }
}

std::uint16_t HostilePeers::Port(const std::string& name) const {
  const auto it = ports_.find(name);
  EXPECT_NE(it, ports_.end()) << "no hostile peer " << name;
  return it == ports_.end() ? 0 : it->second;
}

}  // namespace portwarden::testing
