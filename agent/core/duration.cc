#include "agent/core/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace portwarden {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};

// Ordered from largest to smallest; "ms" must be tried before "m".
constexpr std::array<Unit, 7> kUnits{{{"y", 365LL * 24 * 3600 * 1000},
                                      {"w", 7LL * 24 * 3600 * 1000},
                                      {"d", 24LL * 3600 * 1000},
                                      {"h", 3600LL * 1000},
                                      {"ms", 1},
                                      {"m", 60LL * 1000},
                                      {"s", 1000}}};

int UnitRank(std::string_view suffix) {
  // Rank by size so "1s1m" (smaller before larger) can be rejected.
  constexpr std::array<std::string_view, 7> kBySize{"y", "w", "d", "h", "m", "s", "ms"};
  for (std::size_t i = 0; i < kBySize.size(); ++i) {
    if (kBySize[i] == suffix) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

const Unit* MatchUnit(std::string_view rest) {
  for (const Unit& unit : kUnits) {
    if (rest.starts_with(unit.suffix)) {
      return &unit;
    }
  }
  return nullptr;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.empty()) {
    return Fail("empty duration");
  }
  std::int64_t total = 0;
  int last_rank = -1;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::int64_t number = 0;
    const std::size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (number > std::numeric_limits<std::int64_t>::max() / 10) {
        return Fail("duration " + quoted + " is too large");
      }
      number = number * 10 + (text[pos] - '0');
      ++pos;
    }
    if (pos == digits_start) {
      return Fail("invalid duration " + quoted + ": expected a number like \"15s\" or \"1m30s\"");
    }
    const Unit* unit = MatchUnit(text.substr(pos));
    if (unit == nullptr) {
      return Fail("invalid duration " + quoted + ": unit must be one of ms, s, m, h, d, w, y");
    }
    const int rank = UnitRank(unit->suffix);
    if (rank <= last_rank) {
      return Fail("invalid duration " + quoted + ": units must go from largest to smallest");
    }
    last_rank = rank;
    if (number > (std::numeric_limits<std::int64_t>::max() - total) / unit->millis) {
      return Fail("duration " + quoted + " is too large");
    }
    total += number * unit->millis;
    pos += unit->suffix.size();
  }
  return Duration(total);
}

std::string FormatDuration(Duration duration) {
  std::int64_t millis = duration.count();
  if (millis == 0) {
    return "0s";
  }
  std::string out;
  constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kParts{
      {{"d", 24LL * 3600 * 1000},
       {"h", 3600LL * 1000},
       {"m", 60LL * 1000},
       {"s", 1000},
       {"ms", 1}}};
  for (const auto& [suffix, size] : kParts) {
    if (millis >= size) {
      out += std::to_string(millis / size);
      out += suffix;
      millis %= size;
    }
  }
  return out;
}

}  // namespace portwarden
