#include "agent/core/version.h"
#include "agent/core/version_info.h"
#include "exporters/prometheus/metric_groups.h"

namespace portwarden::exporters::prom {

void AppendSelfMetrics(const state::Snapshot& snapshot, Families& out) {
  Gauge("portwarden_build_info",
        "A metric with a constant '1' value labeled by version, revision, branch, compiler and "
        "the OpenSSL version portwarden runs with.")
      .Add({{"version", build::kVersion},
            {"revision", build::kRevision},
            {"branch", build::kBranch},
            {"compiler", build::kCompiler},
            {"openssl_version", build::OpenSslVersion()}},
           1)
      .MoveInto(out);

  auto success = Gauge("portwarden_collector_success",
                       "Whether the collector's last run succeeded (1) or failed (0).");
  auto duration = Gauge("portwarden_collector_duration_seconds",
                        "Duration of the collector's last run, in seconds.");
  auto last_run = Gauge("portwarden_collector_last_run_timestamp_seconds",
                        "When the collector's last run finished, as Unix time.");
  for (const auto& collector : snapshot.collectors) {
    success.Add({{"collector", collector.name}}, collector.success ? 1 : 0);
    duration.Add({{"collector", collector.name}}, collector.duration_seconds);
    last_run.Add({{"collector", collector.name}}, collector.timestamp);
  }
  success.MoveInto(out);
  duration.MoveInto(out);
  last_run.MoveInto(out);

  Gauge("portwarden_config_last_reload_successful",
        "Whether the last configuration reload attempt was successful.")
      .Add({}, snapshot.reload.last_successful ? 1 : 0)
      .MoveInto(out);
  Gauge("portwarden_config_last_reload_success_timestamp_seconds",
        "Timestamp of the last successful configuration reload.")
      .Add({}, snapshot.reload.last_success_timestamp)
      .MoveInto(out);
  Gauge("portwarden_start_time_seconds", "When the agent started, as Unix time.")
      .Add({}, snapshot.start_timestamp)
      .MoveInto(out);
}

}  // namespace portwarden::exporters::prom
