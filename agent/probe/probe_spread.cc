#include "agent/probe/probe_spread.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <string_view>

namespace portwarden::probe {
namespace {

// FNV-1a, 64 bits: stable across builds and runs (std::hash is neither promised to be).
std::uint64_t Fnv1a(std::uint64_t hash, std::string_view text) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// What tells one target's results from another's: the metric identity less the address.
std::string ResultKey(const std::string& target,
                      const std::string& server_name,
                      TargetSource source) {
  return target + '|' + server_name + '|' + SourceName(source);
}

std::uint64_t IdentityHash(const ProbeTarget& target) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  hash = Fnv1a(hash, target.endpoint.target);
  hash = Fnv1a(hash, "|");
  hash = Fnv1a(hash, "|");
  hash = Fnv1a(hash, target.endpoint.server_name);
  hash = Fnv1a(hash, "|");
  hash = Fnv1a(hash, target.netns);
  return Fnv1a(hash, SourceName(target.source));
}

}  // namespace

// Evenly spaced ranks rather than hash-derived times: a hash alone puts a few targets in
// clumps (eight random points in a window often land four close together), while ranks give
// the servers and the agent a constant start rate. Adding a target moves the others by at
// most one step (spread / n).
std::vector<Duration> SpreadOffsets(const std::vector<ProbeTarget>& targets, Duration spread) {
  const std::size_t n = targets.size();
  std::vector<Duration> offsets(n, Duration(0));
  if (spread <= Duration(0) || n < 2) {
    return offsets;
  }
  std::vector<std::uint64_t> hashes(n);
  std::transform(targets.begin(), targets.end(), hashes.begin(), IdentityHash);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Ties (the same identity twice) keep list order, so the result is deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return hashes[a] < hashes[b]; });
  for (std::size_t rank = 0; rank < n; ++rank) {
    offsets[order[rank]] =
        Duration(spread.count() * static_cast<Duration::rep>(rank) / static_cast<Duration::rep>(n));
  }
  return offsets;
}

void SpreadPacer::Arm() {
  const std::lock_guard lock(mutex_);
  released_ = false;
}

bool SpreadPacer::WaitUntil(Clock::SteadyTime until) {
  std::unique_lock lock(mutex_);
  return !clock_.WaitUntil(wake_, lock, until, [&] { return released_; });
}

void SpreadPacer::Release() {
  {
    const std::lock_guard lock(mutex_);
    released_ = true;
  }
  wake_.notify_all();
}

SpreadReport::SpreadReport(const std::vector<ProbeTarget>& targets,
                           std::shared_ptr<const ProbeReport> previous)
    : fresh_(targets.size()), done_(targets.size(), false), previous_(std::move(previous)) {
  keys_.reserve(targets.size());
  std::map<std::string, int> uses;
  for (const auto& target : targets) {
    keys_.push_back(ResultKey(target.endpoint.target, target.endpoint.server_name, target.source));
    ++uses[keys_.back()];
  }
  // Two targets the results cannot tell apart (the same target, SNI and source): neither borrows
  // a stale result, which could be the other's.
  for (auto& key : keys_) {
    if (uses[key] > 1) {
      key.clear();
    }
  }
  IndexStale();
}

void SpreadReport::IndexStale() {
  stale_.clear();
  if (previous_) {
    for (const auto& result : previous_->results) {
      stale_.emplace(ResultKey(result.target, result.server_name, result.source), &result);
    }
  }
}

void SpreadReport::Add(std::size_t index, std::vector<ProbeResult> results) {
  if (index >= fresh_.size() || done_[index]) {
    return;
  }
  fresh_[index] = std::move(results);
  done_[index] = true;
  ++finished_;
}

std::shared_ptr<const ProbeReport> SpreadReport::SoFar(
    const std::map<std::string, ProbeCounters>& counters,
    const std::vector<double>& handshake_bounds) {
  auto report = std::make_shared<ProbeReport>();
  report->handshake_bounds = handshake_bounds;
  for (std::size_t i = 0; i < fresh_.size(); ++i) {
    if (done_[i]) {
      report->results.insert(report->results.end(), fresh_[i].begin(), fresh_[i].end());
      continue;
    }
    if (keys_[i].empty()) {
      continue;
    }
    const auto [first, last] = stale_.equal_range(keys_[i]);
    for (auto it = first; it != last; ++it) {
      report->results.push_back(*it->second);
    }
  }
  for (const auto& result : report->results) {
    const std::string key = CountersKey(result);
    if (const auto it = counters.find(key); it != counters.end()) {
      report->counters.emplace(key, it->second);
    }
  }
  // Later reports take their stale results from this one: the older report can go.
  previous_ = report;
  IndexStale();
  return report;
}

std::vector<ProbeResult> SpreadReport::TakeResults() {
  std::vector<ProbeResult> out;
  for (auto& results : fresh_) {
    std::move(results.begin(), results.end(), std::back_inserter(out));
    results.clear();
  }
  return out;
}

}  // namespace portwarden::probe
