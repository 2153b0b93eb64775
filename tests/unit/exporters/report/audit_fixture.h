#pragma once

#include "agent/state/snapshot.h"

namespace portwarden::exporters::report::testing {

/// When the fixture's report is "generated": 2027-01-15 08:00:00Z.
inline constexpr double kGeneratedAt = 1800000000;

/// A hand-made snapshot (a fixture of collection, no socket opened): three listeners, one
/// held by a process with a hostile name and violating a rule, one dual-stack IPv6 wildcard;
/// a healthy endpoint with a two-certificate chain, one whose self-signed certificate has a
/// hostile subject, one that refused the connection.
state::Snapshot AuditSnapshot();

}  // namespace portwarden::exporters::report::testing
