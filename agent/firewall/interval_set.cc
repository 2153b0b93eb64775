#include "agent/firewall/interval_set.h"

#include <algorithm>

namespace portwarden::firewall {

IntervalSet::IntervalSet(std::vector<Interval> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
  for (const auto& part : intervals) {
    if (part.lo > part.hi) {
      continue;
    }
    if (!parts_.empty() && (parts_.back().hi == ~U128{0} || part.lo <= parts_.back().hi + 1)) {
      parts_.back().hi = std::max(parts_.back().hi, part.hi);
    } else {
      parts_.push_back(part);
    }
  }
}

bool IntervalSet::Contains(U128 value) const {
  auto it = std::upper_bound(parts_.begin(), parts_.end(), value,
                             [](U128 v, const Interval& part) { return v < part.lo; });
  return it != parts_.begin() && value <= std::prev(it)->hi;
}

IntervalSet IntervalSet::Intersect(const IntervalSet& other) const {
  IntervalSet out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < parts_.size() && j < other.parts_.size()) {
    const U128 lo = std::max(parts_[i].lo, other.parts_[j].lo);
    const U128 hi = std::min(parts_[i].hi, other.parts_[j].hi);
    if (lo <= hi) {
      out.parts_.push_back({lo, hi});
    }
    (parts_[i].hi < other.parts_[j].hi ? i : j)++;
  }
  return out;
}

IntervalSet IntervalSet::Union(const IntervalSet& other) const {
  std::vector<Interval> parts = parts_;
  parts.insert(parts.end(), other.parts_.begin(), other.parts_.end());
  return IntervalSet(std::move(parts));
}

bool IntervalSet::operator==(const IntervalSet& other) const {
  return std::equal(
      parts_.begin(), parts_.end(), other.parts_.begin(), other.parts_.end(),
      [](const Interval& a, const Interval& b) { return a.lo == b.lo && a.hi == b.hi; });
}

IntervalSet IntervalSet::Subtract(const IntervalSet& other) const {
  IntervalSet out;
  std::size_t j = 0;
  for (auto part : parts_) {
    bool alive = true;
    while (j < other.parts_.size() && other.parts_[j].hi < part.lo) {
      ++j;
    }
    for (std::size_t k = j; k < other.parts_.size() && other.parts_[k].lo <= part.hi; ++k) {
      const auto& cut = other.parts_[k];
      if (cut.lo > part.lo) {
        out.parts_.push_back({part.lo, cut.lo - 1});
      }
      if (cut.hi >= part.hi) {
        alive = false;
        break;
      }
      part.lo = cut.hi + 1;
    }
    if (alive) {
      out.parts_.push_back(part);
    }
  }
  return out;
}

Interval IntervalSet::Prefix(U128 address, int length, int bits) {
  length = std::clamp(length, 0, bits);
  const int host_bits = bits - length;
  const U128 host_mask = host_bits >= 128 ? ~U128{0} : (U128{1} << host_bits) - 1;
  return {address & ~host_mask, (address & ~host_mask) | host_mask};
}

}  // namespace portwarden::firewall
