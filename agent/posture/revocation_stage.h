#pragma once

#include <memory>

#include "agent/config/config.h"
#include "agent/posture/posture_checks.h"
#include "agent/probe/crl_cache.h"
#include "agent/probe/probe_deadline.h"
#include "agent/probe/revocation_result.h"

namespace portwarden::posture {

/// The revocation part of a posture run: CRLs of the presented chain (downloaded through
/// libcurl into a cache that outlives the run, kept until each CRL's nextUpdate) and the
/// stapled OCSP response, over a run's CheckInput. Configure() between runs; Check() from any
/// number of threads during one.
class RevocationStage {
 public:
  /// Applies `[revocation]`: a change of the cache bounds starts an empty cache.
  void Configure(const config::RevocationSettings& settings);

  /// The report for `input`'s chain; CRL downloads end by `deadline`. Without
  /// `[revocation] crl` only the staple is judged. Thread-safe.
  probe::RevocationReport Check(const CheckInput& input, const probe::ProbeDeadline& deadline);

 private:
  config::RevocationSettings settings_;
  std::unique_ptr<probe::CrlCache> cache_;
};

}  // namespace portwarden::posture
