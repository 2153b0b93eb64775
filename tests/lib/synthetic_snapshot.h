#pragma once

#include <cstddef>

#include "agent/state/snapshot.h"

namespace portwarden::testing {

/// What SyntheticSnapshot fills in. The shapes follow what the real collectors publish (a
/// probe against `openssl s_server` with a two-certificate chain and the HTTP check on;
/// listeners with processes and units), so the series counts match a real /metrics.
struct SyntheticShape {
  std::size_t endpoints = 0;
  std::size_t listeners = 0;
  std::size_t chain_length = 2;
  bool http = true;
  double violating_fraction = 0.1;  ///< of listeners, violating the "admin-ports" rule
};

/// A snapshot shaped like the collectors' output, for rendering tests and the scrape
/// benchmark. A mock of collection (no sockets are opened), labelled as one. `round` moves
/// timestamps and counters, as a new probe cycle would.
state::Snapshot SyntheticSnapshot(const SyntheticShape& shape, int round = 0);

}  // namespace portwarden::testing
