#pragma once

#include <cstdint>
#include <vector>

namespace portwarden::firewall {

/// 128-bit values: IPv6 addresses, IPv4 addresses in the low 32 bits, ports, numbers.
__extension__ typedef unsigned __int128 U128;

/// An inclusive range [lo, hi].
struct Interval {
  U128 lo = 0;
  U128 hi = 0;
};

/// A set of values as sorted, disjoint, non-adjacent intervals. The evaluator keeps the
/// possible source (and destination) addresses of a path as one, and splits it at each
/// address match, so a path is exact: no contradictory assumptions survive.
class IntervalSet {
 public:
  IntervalSet() = default;
  /// Normalises (sorts and merges) `intervals`.
  explicit IntervalSet(std::vector<Interval> intervals);

  bool empty() const { return parts_.empty(); }

  const std::vector<Interval>& parts() const { return parts_; }

  bool Contains(U128 value) const;

  IntervalSet Intersect(const IntervalSet& other) const;
  IntervalSet Union(const IntervalSet& other) const;
  bool operator==(const IntervalSet& other) const;
  IntervalSet Subtract(const IntervalSet& other) const;

  /// The prefix `address/length` of a `bits`-wide address.
  static Interval Prefix(U128 address, int length, int bits);

 private:
  std::vector<Interval> parts_;
};

}  // namespace portwarden::firewall

namespace portwarden::firewall {

/// A network-order address of `length` bytes (4 or 16) as a number.
inline U128 AddressValue(const std::uint8_t* bytes, int length) {
  U128 value = 0;
  for (int i = 0; i < length; ++i) {
    value = (value << 8) | bytes[i];
  }
  return value;
}

}  // namespace portwarden::firewall
