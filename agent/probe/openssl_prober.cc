#include "agent/probe/openssl_prober.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>

#include "agent/core/heap_trim.h"
#include "agent/core/host_port.h"
#include "agent/core/log.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/http_check.h"
#include "agent/probe/probe_pipeline.h"
#include "agent/probe/probe_spread.h"
#include "agent/probe/worker_pool.h"

namespace portwarden::probe {
namespace {

/// A spread cycle publishes its report so far about this many times over its window (and at
/// most once a second).
constexpr int kProgressReports = 16;

/// At most one malloc_trim per this period (see HeapTrimmer).
constexpr auto kTrimPeriod = std::chrono::minutes(1);

const std::vector<double> kHandshakeBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,   0.25,   0.5,   1,    2.5,   5};

// A failing endpoint is logged at warn when it starts failing (or fails differently) and when it
// recovers; repeats go to debug, so 2,000 broken endpoints do not flood the log every cycle.
void LogChange(const ProbeResult& result, std::string& last_reason) {
  const log::Fields fields = {{"target", result.target},           {"address", result.address},
                              {"server_name", result.server_name}, {"phase", result.failure_phase},
                              {"reason", result.failure_reason},   {"err", result.failure_detail}};
  if (result.failure_reason == last_reason) {
    if (!last_reason.empty()) {
      log::Debug("TLS probe still failing", fields);
    }
  } else if (result.failure_reason.empty()) {
    log::Info("TLS probe recovered", {{"target", result.target},
                                      {"address", result.address},
                                      {"server_name", result.server_name}});
  } else {
    log::Warn("TLS probe failed", fields);
  }
  last_reason = result.failure_reason;
}

void Count(const ProbeResult& result, ProbeCounters& counters) {
  counters.target = result.target;
  counters.address = result.address;
  counters.server_name = result.server_name;
  counters.source = result.source;
  ++counters.probes_total;
  if (!result.success) {
    ++counters.failures_by_reason[result.failure_reason];
  }
  if (result.phases.handshake && result.failure_phase != "handshake" &&
      result.failure_phase != "connect") {
    const double seconds = *result.phases.handshake;
    counters.handshake_bucket_counts.resize(kHandshakeBounds.size());
    for (std::size_t i = 0; i < kHandshakeBounds.size(); ++i) {
      counters.handshake_bucket_counts[i] += seconds <= kHandshakeBounds[i] ? 1 : 0;
    }
    ++counters.handshake_count;
    counters.handshake_sum += seconds;
  }
}

}  // namespace

struct OpenSslProber::State {
  explicit State(const Clock& clock) : pacer(clock) {}

  std::atomic<bool> cancelled{false};
  SpreadPacer pacer;
  TlsContextCache contexts;
  WorkerPool pool;
  HeapTrimmer trimmer{kTrimPeriod};
  std::map<std::string, ProbeCounters> counters;  // Only touched by RunCycle (one at a time).
};

OpenSslProber::OpenSslProber() : OpenSslProber(SystemClock::Instance()) {}

OpenSslProber::OpenSslProber(const Clock& clock) : state_(std::make_unique<State>(clock)) {
  // OpenSSL writes to probe sockets with write(2): a peer that resets the connection would
  // otherwise kill the whole process with SIGPIPE at our next ClientHello or close_notify.
  // Ignored process-wide, as network daemons do: the write then fails with EPIPE.
  std::signal(SIGPIPE, SIG_IGN);
}

OpenSslProber::~OpenSslProber() = default;

void OpenSslProber::Cancel() {
  state_->cancelled = true;
  state_->pacer.Release();
}

void OpenSslProber::Interrupt() {
  state_->pacer.Release();
}

// A spread cycle's start times; null (all at once) without a spread or with one target.
std::unique_ptr<Pacing> OpenSslProber::PacingFor(const std::vector<ProbeTarget>& targets,
                                                 const ProbeSettings& settings,
                                                 const CycleProgress& progress) {
  if (settings.spread <= Duration(0) || targets.size() < 2) {
    return nullptr;
  }
  state_->pacer.Arm();
  // A Cancel() or a reload's Interrupt() that came before Arm() must not be undone by it.
  if (state_->cancelled || (progress.superseded && progress.superseded())) {
    state_->pacer.Release();
  }
  return std::make_unique<Pacing>(Pacing{.offsets = SpreadOffsets(targets, settings.spread),
                                         .start = state_->pacer.clock().SteadyNow(),
                                         .pacer = &state_->pacer});
}

// Logs and counts each result once, as it comes in.
void OpenSslProber::Account(const std::vector<ProbeResult>& results) {
  for (const auto& result : results) {
    ProbeCounters& counters = state_->counters[CountersKey(result)];
    LogChange(result, counters.last_failure_reason);
    Count(result, counters);
  }
}

// A spread cycle with progress reports: targets are accounted as they finish, and a report so
// far (stale results for the targets still to come) is published every progress period.
std::vector<ProbeResult> OpenSslProber::ProbeReporting(const std::vector<ProbeTarget>& targets,
                                                       const ProbeSettings& settings,
                                                       Pacing& pacing,
                                                       const CycleProgress& progress) {
  SpreadReport so_far(targets, progress.previous);
  pacing.progress_period =
      std::max<Duration>(std::chrono::seconds(1), settings.spread / kProgressReports);
  pacing.progress = [&](std::vector<TargetResults> finished) {
    for (auto& target : finished) {
      Account(target.results);
      so_far.Add(target.target_index, std::move(target.results));
    }
    if (!so_far.Complete()) {  // the last call comes as the cycle ends: RunCycle reports it
      progress.publish(so_far.SoFar(state_->counters, kHandshakeBounds));
    }
  };
  ProbeTargets(targets, settings, state_->contexts, state_->pool, &state_->cancelled, &pacing);
  return so_far.TakeResults();
}

ProbeReport OpenSslProber::RunCycle(const std::vector<ProbeTarget>& targets,
                                    const ProbeSettings& settings,
                                    const CycleProgress& progress) {
  // Contexts outlive cycles; one stat() per file tells whether a CA file or client
  // certificate was renewed since (then it is re-read now).
  state_->contexts.Revalidate();
  const auto pacing = PacingFor(targets, settings, progress);
  std::vector<ProbeResult> results;
  if (pacing && progress.publish) {
    results = ProbeReporting(targets, settings, *pacing, progress);
  } else {
    // Resolution and probing are pipelined: a name that never resolves holds back no one.
    results = ProbeTargets(targets, settings, state_->contexts, state_->pool, &state_->cancelled,
                           pacing.get());
    Account(results);
  }
  ProbeReport report;
  report.handshake_bounds = kHandshakeBounds;
  for (const auto& result : results) {
    const std::string key = CountersKey(result);
    report.counters[key] = state_->counters[key];
  }
  state_->counters = report.counters;  // Series of targets no longer probed disappear.
  report.results = std::move(results);
  // The heap keeps the freed buffers of the cycle's handshakes (one per probe slot): give
  // them back now and then, so an agent probing once a minute idles near its floor, while one
  // probing every second does not pay for a trim and the page faults after it every cycle.
  state_->trimmer.MaybeTrim();
  return report;
}

}  // namespace portwarden::probe
