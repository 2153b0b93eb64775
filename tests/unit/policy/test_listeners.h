#pragma once

// Synthetic listeners for the policy unit tests (the inventory is not under test here).
#include <string>

#include "agent/config/cidr.h"
#include "agent/inventory/listener.h"

namespace portwarden::policy::testing_support {

inline inventory::Listener MakeListener(std::string address,
                                        std::uint16_t port,
                                        Scope scope,
                                        std::string comm = "",
                                        Protocol protocol = Protocol::kTcp,
                                        std::string netns = "host") {
  inventory::Listener l;
  l.protocol = protocol;
  l.family = address.find(':') != std::string::npos ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  l.address = std::move(address);
  l.port = port;
  l.scope = scope;
  l.netns = std::move(netns);
  l.process.comm = std::move(comm);
  l.process.pid = l.process.comm.empty() ? 0 : 4242;
  return l;
}

inline inventory::Listener WithUnit(inventory::Listener l, std::string unit) {
  l.process.unit = std::move(unit);
  return l;
}

inline inventory::Listener WithExe(inventory::Listener l, std::string exe) {
  l.process.exe = std::move(exe);
  return l;
}

inline config::Cidr MustCidr(const char* text) {
  return *config::ParseCidr(text);
}

}  // namespace portwarden::policy::testing_support
