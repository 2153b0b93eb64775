#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace portwarden::firewall::testing {

inline std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PORTWARDEN_FIREWALL_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace portwarden::firewall::testing
