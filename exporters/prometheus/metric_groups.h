#pragma once

#include "agent/core/process_stats.h"
#include "agent/state/snapshot.h"
#include "exporters/prometheus/family_builder.h"
#include "exporters/prometheus/metric_writer.h"

/// One function per metric group, each in the file of its subject. Each appends its families
/// for the given snapshot; none does I/O (process_* takes its figures as an argument). The
/// collector a group belongs to (collector_set.h) is named on each; exposition.cc maps
/// collectors to groups.
namespace portwarden::exporters::prom {

/// portwarden_build_info, portwarden_collector_*, portwarden_config_last_reload_*. Always on.
void AppendSelfMetrics(const state::Snapshot& snapshot, Families& out);

/// process_* in client_golang's names and HELP texts. Collector `process`; per scrape.
void AppendProcessMetrics(const ProcessStats& stats, Families& out);

/// portwarden_listener_info and portwarden_listener_sockets. Collector `listeners`.
void AppendPerListenerMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_listener_first_seen_timestamp_seconds. Collector `listeners`.
void AppendListenerFirstSeen(const state::Snapshot& snapshot, Families& out);

/// portwarden_listener_connections, _accept_queue, _accept_queue_limit.
/// Collector `listeners`.
void AppendListenerActivityMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_inventory_connection_*: the connection dumps' health. Collector `inventory`.
void AppendConnectionDumpMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_listener_unapproved, portwarden_baseline_* (when inventory.baseline is set).
/// Collector `exposure`.
void AppendBaselineMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_listeners, the series cap, inventory health. Collector `inventory`.
void AppendInventoryMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_exposure_violation(s), portwarden_listener_changes_total. Collector `exposure`.
void AppendExposureViolationMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_listener_firewall_verdict, portwarden_firewall_ruleset_readable. Collector
/// `exposure`.
void AppendFirewallMetrics(const state::Snapshot& snapshot, Families& out);

/// Per endpoint: portwarden_tls_probe_*, _probes_total, negotiated parameters, verify result,
/// earliest NotAfter. Collector `tls`.
void AppendTlsProbeMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_discovery_targets (discovered listeners by state). Collector `tls`.
void AppendDiscoveryMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_cert_* (per certificate of each chain). Collector `tls_chain`.
void AppendTlsChainMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_handshake_seconds. Collector `tls_histogram`.
void AppendTlsHistogramMetrics(const state::Snapshot& snapshot, Families& out);

/// The per-endpoint groups (tls, tls_chain, tls_histogram, http; posture and key-exchange
/// groups below) as written to a MetricWriter: /metrics streams them as text (TextWriter)
/// instead of building their families; each one's Append* is its Write* into a
/// FamiliesWriter.
void WriteTlsProbeMetrics(const state::Snapshot& snapshot, MetricWriter& out);
void WriteTlsChainMetrics(const state::Snapshot& snapshot, MetricWriter& out);
void WriteTlsHistogramMetrics(const state::Snapshot& snapshot, MetricWriter& out);
void WriteHttpMetrics(const state::Snapshot& snapshot, MetricWriter& out);
void WritePostureMetrics(const state::Snapshot& snapshot, MetricWriter& out);
void WriteGroupMetrics(const state::Snapshot& snapshot, MetricWriter& out);

/// portwarden_tls_protocol_accepted, portwarden_tls_posture_*. Collector `posture`.
void AppendPostureMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_group_supported, portwarden_tls_group_probe_error. Collector `posture`.
void AppendGroupMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_cert_revoked, portwarden_tls_crl_*, portwarden_tls_ocsp_staple_*.
/// Collector `posture`.
void AppendRevocationMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_http_*. Collector `http`.
void AppendHttpMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_cert_file_* (per certificate of each [[certificates]] file, per unusable file)
/// and portwarden_tls_cert_renewed_not_served. Collector `certfiles`.
void AppendCertFileMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_posture_inconsistent (one host and server name on several ports).
/// Collector `tls`.
void AppendConsistencyMetrics(const state::Snapshot& snapshot, Families& out);

/// Every group of one file at once (all collectors on), for tests of that file.
/// AppendListenerMetrics = per-listener + inventory; AppendExposureMetrics = violations +
/// first-seen; AppendTlsMetrics = tls + tls_histogram + tls_chain + http.
void AppendListenerMetrics(const state::Snapshot& snapshot, Families& out);
void AppendExposureMetrics(const state::Snapshot& snapshot, Families& out);
void AppendTlsMetrics(const state::Snapshot& snapshot, Families& out);

}  // namespace portwarden::exporters::prom
