#include "agent/core/ip_address.h"

#include <cstring>

namespace portwarden {

bool PrefixMatches(const std::uint8_t* a, const std::uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<std::size_t>(whole)) != 0) {
    return false;
  }
  const int rest = bits % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xFFU << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace portwarden
