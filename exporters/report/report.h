#pragma once

#include <string>
#include <vector>

#include "agent/inventory/listener.h"
#include "agent/policy/policy.h"
#include "agent/posture/posture_report.h"
#include "agent/probe/probe_result.h"

/// Human-readable terminal reports for `portwarden scan` and `portwarden probe`.
namespace portwarden::exporters::report {

/// What the caller resolved beyond the snapshot, by listener index (an empty vector leaves
/// its column out): the owner's user name, and every process holding the socket
/// ("nginx(812 root) nginx(813 www-data)").
struct ListenerExtras {
  std::vector<std::string> users;
  std::vector<std::string> holders;
};

/// What `scan` adds to the listener table.
struct TableOptions {
  bool connections = false;  ///< A CONNECTIONS column: established connections by peer scope.
  ListenerExtras extras;     ///< USER and HOLDERS columns
};

/// A table: proto, Recv-Q, Send-Q (a TCP listener's accept queue and its limit, as `ss -ltn`
/// shows them; "-" when unknown), address:port (IPv6 wildcards as ss shows them: "[::]"
/// v6only, "*" dual stack), scope, process, pid, [user,] unit, namespace, [connections,]
/// verdict (with "observed" when a connected peer violates the rule, "unapproved" when a
/// baseline is in force and does not list the listener)[, holders].
std::string ListenerTable(const inventory::InventoryReport& inventory,
                          const policy::PolicyReport& policy,
                          const TableOptions& options = {});

/// One line under the table: "3 of 41 listeners (tcp 2, udp 1): public 1, private 0,
/// link_local 0, loopback 2; 1 violation".
std::string ScanSummary(const inventory::InventoryReport& shown,
                        const policy::PolicyReport& policy,
                        std::size_t total);

/// One probe result: chain with days to expiry, verdict, phase timings.
/// `now` is Unix seconds (for days-left arithmetic).
std::string ProbeReportText(const probe::ProbeResult& result, double now);

/// One posture result: the versions accepted or refused, and the findings.
std::string PostureReportText(const posture::PostureResult& result);

/// The key-exchange group and revocation lines of a posture result (revocation_report.cc).
std::string GroupsAndRevocationText(const posture::PostureResult& result);
/// The chain as PEM (`probe --show-certs`), each certificate after a "# [pos] subject" line;
/// "" when the result holds no PEM.
std::string ChainPem(const probe::ProbeResult& result);

}  // namespace portwarden::exporters::report
