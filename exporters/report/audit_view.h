#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "agent/state/snapshot.h"

/// The one reading of a snapshot that every human-facing output shares (status page, HTML,
/// Markdown and CSV reports), so they agree on wording: which endpoint is healthy, how many
/// days its soonest certificate has left, which listener violates which rule. Pure.
namespace portwarden::exporters::report {

/// One listener and its verdict. Points into the snapshot it was built from.
struct ListenerRow {
  const inventory::Listener* listener = nullptr;
  std::string endpoint;  ///< "127.0.0.1:22", "[::1]:22", "*:22" (dual-stack wildcard, as ss)
  bool has_verdict = false;
  std::string rule;
  bool violation = false;
  std::string allowed;    ///< "loopback, private" (the deciding rule's scopes)
  double first_seen = 0;  ///< 0 when not tracked (one-shot collection)
  std::string verdict;    ///< "ok (rule)", "VIOLATION (rule)", "" without a verdict
  /// What the verdict judged: "bind", "effective" (bind reach × firewall), "observed" (a
  /// connected peer the rule does not allow); "" without a verdict.
  std::string basis;
  /// The firewall stage's verdicts for a public and a private source, "accept|drop|unknown"
  /// each; "" when the stage is off or has no verdict for this listener.
  std::string firewall_public;
  std::string firewall_private;
  bool published = false;   ///< published by a DNAT rule of the host namespace
  bool unapproved = false;  ///< in no entry of the baseline in force (AuditView::baseline)
};

/// Days-left buckets of the soonest certificate of each endpoint's chain.
enum class ExpiryBucket : std::uint8_t { kExpired, kUnder7, kUnder30, kOver30 };
inline constexpr std::array kAllExpiryBuckets = {ExpiryBucket::kExpired, ExpiryBucket::kUnder7,
                                                 ExpiryBucket::kUnder30, ExpiryBucket::kOver30};

/// "expired", "< 7 days", "7-30 days", "> 30 days".
const char* ExpiryBucketName(ExpiryBucket bucket);

/// One probed address of one TLS endpoint.
struct EndpointRow {
  const probe::ProbeResult* result = nullptr;
  bool healthy = false;
  std::string verdict;                 ///< "ok", "failed: connect_refused", "unverified: expired"
  std::optional<double> days_left;     ///< soonest not_after in the chain, from `now`
  std::optional<ExpiryBucket> bucket;  ///< of days_left
  std::string error;                   ///< what went wrong, "" when healthy
};

/// The counts a reader looks at first.
struct Summary {
  int listeners = 0;
  std::array<int, 4> by_scope{};  ///< indexed by Scope
  int tcp = 0;
  int udp = 0;
  int violations = 0;
  int endpoints = 0;  ///< probed addresses
  int probe_failures = 0;
  std::array<int, kAllExpiryBuckets.size()> by_expiry{};  ///< endpoints, by soonest expiry
};

/// Everything above, for one snapshot at `now`.
struct AuditView {
  std::vector<ListenerRow> listeners;  ///< in snapshot order
  std::vector<EndpointRow> endpoints;  ///< in snapshot order
  Summary summary;
  bool firewall = false;  ///< the firewall stage ran: the rows carry its verdicts
  bool baseline = false;  ///< a baseline is in force: the rows carry `unapproved`
  int unapproved = 0;     ///< listeners in no entry of the baseline
};

/// Builds the view. The snapshot must outlive it (rows point into it).
AuditView BuildAuditView(const state::Snapshot& snapshot, double now);

/// The listener's address as `ss` prints it: IPv6 bracketed, "%dev" for a bound device, and
/// an IPv6 wildcard that also takes IPv4 (not v6only) as "*".
std::string ListenerEndpoint(const inventory::Listener& listener);

/// "nginx (pid 812)", "-" when unknown, " +N holders" when the socket is shared.
std::string ProcessText(const inventory::ProcessInfo& process);

/// "2026-12-01 10:00:00Z" for any time, before 1970 too (certificate validity).
std::string UtcTimestamp(double unix_seconds);

/// UtcTimestamp, or "-" for 0 and below (a time not known or not yet).
std::string UtcTime(double unix_seconds);

/// Comma-separated scope names.
std::string ScopeList(const std::vector<Scope>& scopes);

}  // namespace portwarden::exporters::report
