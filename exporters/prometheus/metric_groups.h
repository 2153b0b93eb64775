#pragma once

#include "agent/core/process_stats.h"
#include "agent/state/snapshot.h"
#include "exporters/prometheus/family_builder.h"

/// One function per metric group, each in its own file. Each appends its families for the
/// given snapshot; none does I/O (process_* takes its figures as an argument).
namespace portwarden::exporters::prom {

/// portwarden_build_info, portwarden_collector_*, portwarden_config_last_reload_*.
void AppendSelfMetrics(const state::Snapshot& snapshot, Families& out);

/// process_* in client_golang's names and HELP texts.
void AppendProcessMetrics(const ProcessStats& stats, Families& out);

/// portwarden_listener_info, portwarden_listeners, inventory health.
void AppendListenerMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_exposure_violation, first-seen timestamps, change counters.
void AppendExposureMetrics(const state::Snapshot& snapshot, Families& out);

/// portwarden_tls_*, portwarden_http_*.
void AppendTlsMetrics(const state::Snapshot& snapshot, Families& out);

}  // namespace portwarden::exporters::prom
