#include "agent/posture/posture_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include <openssl/ssl.h>

#include "agent/core/clock.h"
#include "agent/core/duration.h"
#include "agent/posture/posture_checks.h"
#include "agent/posture/revocation_stage.h"
#include "agent/probe/address_probe.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/group_probe.h"
#include "agent/probe/tcp_connect.h"
#include "agent/probe/tls_context.h"
#include "agent/probe/worker_pool.h"

namespace portwarden::posture {
namespace {

constexpr int kVersionCodes[] = {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
static_assert(std::size(kVersionCodes) == kVersions.size());

using probe::ProbeResult;
using probe::ProbeTarget;

probe::ProbeDeadline DeadlineFor(const ProbeTarget& target,
                                 const config::Config& config,
                                 const std::atomic<bool>* cancelled) {
  const Duration timeout = target.endpoint.timeout.value_or(config.agent.probe_timeout);
  return {std::chrono::steady_clock::now() + timeout, cancelled};
}

/// One connect and handshake of the prober's (AddressProbe: netns, ReadGuard, deadline),
/// driven on this thread; posture targets have no HTTP checks, so the probe ends there.
ProbeResult RunAddressProbe(const ProbeTarget& target,
                            const probe::ResolvedAddress& address,
                            probe::PhaseResult<SSL_CTX*> ctx,
                            const probe::ProbeDeadline& deadline) {
  probe::AddressProbe probe(target, address, 0, std::move(ctx), deadline);
  for (short events = probe.Step(); events != 0; events = probe.Step()) {
    if (!probe::WaitFd(probe.fd(), events, {probe.WaitLimit(), deadline.cancelled})) {
      probe.Expire();
      break;
    }
  }
  return std::move(probe.result());
}

PostureResult NewPosture(const ProbeResult& probe) {
  PostureResult result;
  result.target = probe.target;
  result.address = probe.address;
  result.server_name = probe.server_name;
  result.source = probe.source;
  return result;
}

double Now() {
  return ToUnixSeconds(std::chrono::system_clock::now());
}

/// What the assessment of one target shares: the contexts, the config, the cancel flag.
struct Assessor {
  probe::TlsContextCache& contexts;
  const config::Config& config;
  const std::atomic<bool>* cancelled;
  RevocationStage& revocation;

  /// One handshake of `target` at `address` with the pinned `version` (0 = any).
  ProbeResult Handshake(const ProbeTarget& target,
                        const probe::ResolvedAddress& address,
                        int version,
                        const std::string& ciphers) const {
    const auto& e = target.endpoint;
    auto ctx = contexts.Get({e.ca_file, e.ca_path, e.cert_file, e.key_file, version, ciphers,
                             /*evidence=*/true});
    probe::PhaseResult<SSL_CTX*> raw = std::unexpected(ctx ? probe::PhaseError{} : ctx.error());
    if (ctx) {
      raw = ctx->get();
    }
    // `ctx` keeps the context alive for the handshake even if the cache drops it meanwhile.
    return RunAddressProbe(target, address, raw, DeadlineFor(target, config, cancelled));
  }

  /// One more handshake that offers only the weak suites (kWeakCipherOffer), at the newest
  /// version <= TLS 1.2 the server accepted, or at TLS 1.2 when it accepted none (a server
  /// that speaks TLS 1.2 only with weak suites refused the default offer). Its cipher joins
  /// the weak_cipher check; a ServerHello of that version also marks the version accepted.
  void AddWeakOffer(const ProbeTarget& target,
                    const probe::ResolvedAddress& address,
                    std::vector<VersionResult>& versions,
                    std::vector<ProbeResult>& handshakes) const {
    std::size_t at = 2;  // TLS 1.2
    for (std::size_t i = 3; i-- > 0;) {
      if (versions[i].accepted) {
        at = i;
        break;
      }
    }
    ProbeResult shake = Handshake(target, address, kVersionCodes[at], kWeakCipherOffer);
    if (shake.tls_version == versions[at].version && !versions[at].accepted) {
      versions[at] = {versions[at].version, true, shake.cipher, ""};
    }
    handshakes.push_back(std::move(shake));
  }

  PostureResult Address(const ProbeTarget& target, const probe::ResolvedAddress& address) const {
    std::vector<ProbeResult> handshakes;
    PostureResult result;
    for (std::size_t i = 0; i < kVersions.size(); ++i) {
      ProbeResult shake = Handshake(target, address, kVersionCodes[i], "");
      if (i == 0) {
        result = NewPosture(shake);
      }
      // Nothing listens, or the deadline/cancel hit before any TLS byte: unknown, not "no".
      if (shake.failure_phase == "connect" || shake.failure_reason == probe::failure::kCancelled) {
        result.failure_reason = shake.failure_reason;
        result.versions.clear();
        result.timestamp = Now();
        return result;
      }
      VersionResult version{std::string(kVersions[i]), shake.tls_version == kVersions[i],
                            shake.tls_version == kVersions[i] ? shake.cipher : "",
                            shake.failure_phase == "handshake" ? shake.failure_reason : ""};
      result.versions.push_back(std::move(version));
      handshakes.push_back(std::move(shake));
    }
    AddWeakOffer(target, address, result.versions, handshakes);
    result.reached = std::ranges::any_of(result.versions, &VersionResult::accepted);
    if (!result.reached) {
      result.failure_reason = handshakes[kVersions.size() - 1].failure_reason;
    }
    const CheckInput input = CheckInputOf(result.versions, handshakes);
    result.findings = Findings(input);
    if (result.reached) {
      result.revocation = revocation.Check(input, DeadlineFor(target, config, cancelled));
    }
    if (result.versions.size() == kVersions.size() && result.versions.back().accepted) {
      result.groups = probe::ProbeGroups(address, target.netns_path, target.endpoint.server_name,
                                         DeadlineFor(target, config, cancelled));
    }
    result.timestamp = Now();
    return result;
  }

  std::vector<PostureResult> Target(const ProbeTarget& probed) const {
    ProbeTarget target = probed;  // Posture never runs the HTTP checks.
    target.endpoint.http = false;
    target.endpoint.plain_http_companion.reset();
    const auto& e = target.endpoint;
    auto addresses = probe::Resolve(e.host, e.port, e.ip_family, e.max_addresses,
                                    DeadlineFor(target, config, cancelled));
    if (!addresses) {
      PostureResult failed = NewPosture(probe::NewResult(target));
      failed.failure_reason = std::string(addresses.error().reason);
      failed.timestamp = Now();
      return {std::move(failed)};
    }
    std::vector<PostureResult> results;
    for (const auto& address : *addresses) {
      results.push_back(Address(target, address));
    }
    return results;
  }
};

}  // namespace

struct PostureRunner::State {
  std::atomic<bool> cancelled{false};
  probe::TlsContextCache contexts;
  probe::WorkerPool pool;
  RevocationStage revocation;  // its CRL cache outlives a run
};

PostureRunner::PostureRunner() : state_(std::make_unique<State>()) {}

PostureRunner::~PostureRunner() = default;

void PostureRunner::Cancel() {
  state_->cancelled = true;
}

PostureReport PostureRunner::Run(const std::vector<ProbeTarget>& targets,
                                 const config::Config& config) {
  state_->contexts.Revalidate();
  state_->revocation.Configure(config.revocation);
  const Assessor assessor{state_->contexts, config, &state_->cancelled, state_->revocation};
  std::vector<std::vector<PostureResult>> per_target(targets.size());
  const int threads = std::clamp(config.agent.probe_concurrency, 1, kMaxPostureThreads);
  state_->pool.Run(targets.size(), threads,
                   [&](std::size_t i) { per_target[i] = assessor.Target(targets[i]); });
  PostureReport report;
  for (auto& results : per_target) {
    std::ranges::move(results, std::back_inserter(report.results));
  }
  return report;
}

}  // namespace portwarden::posture
