#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/probe/crl.h"
#include "agent/probe/phase_error.h"

namespace portwarden::probe {

/// Bounds of the CRL cache (docs/configuration.md, `[posture]`).
struct CrlCacheLimits {
  std::size_t max_bytes = 10 * 1024 * 1024;  ///< Per CRL, as downloaded (crl_max_bytes).
  std::size_t max_entries = 32;              ///< CRLs held at once (crl_cache_entries).
  /// All CRLs held, as downloaded: the least recently used go first beyond it.
  std::size_t max_total_bytes = 64 * 1024 * 1024;
  /// No new download of a URL within this many seconds of the last attempt, so endpoints
  /// sharing a CRL fetch it once per posture run, and a failing URL is not hammered.
  double retry_after_seconds = 300;
};

/// One CRL as held by the cache: the last good download (if any) and the last attempt's error.
struct CachedCrl {
  std::shared_ptr<X509_CRL> crl;  ///< Parsed; null when no download ever succeeded.
  crl::Times times;
  std::size_t bytes = 0;    ///< Size as downloaded.
  double fetched_at = 0;    ///< When `crl` was downloaded (Unix seconds).
  double attempted_at = 0;  ///< When the last download was tried.
  std::string error;        ///< crl_failure reason of the last attempt; "" if it worked.
  std::string detail;
};

/// Downloads one CRL: FetchCrl in the agent, a fake in unit tests.
using CrlFetcher = std::function<PhaseResult<std::string>(const std::string& url)>;

/// CRLs by URL, each kept until its nextUpdate (RFC 5280: the CA promises no new CRL before
/// it), downloaded again only after that (and not within retry_after_seconds of the last
/// attempt). A failed download keeps the previous CRL, with the error beside it. Bounded in
/// count and bytes (least recently used out first). Thread-safe: downloads run outside the
/// lock, so two callers may download the same URL at once; the later result wins.
class CrlCache {
 public:
  explicit CrlCache(CrlCacheLimits limits = {}) : limits_(limits) {}

  /// The CRL for `url` as of `now` (Unix seconds), downloading it through `fetch` if needed.
  /// Never null.
  std::shared_ptr<const CachedCrl> Get(const std::string& url, double now, const CrlFetcher& fetch);

  /// CRLs held.
  std::size_t size() const;

  const CrlCacheLimits& limits() const { return limits_; }

 private:
  struct Slot {
    std::shared_ptr<const CachedCrl> crl;
    double last_used = 0;
  };

  std::shared_ptr<const CachedCrl> Download(const std::string& url,
                                            double now,
                                            const CrlFetcher& fetch,
                                            const std::shared_ptr<const CachedCrl>& previous);
  void Store(const std::string& url, std::shared_ptr<const CachedCrl> crl, double now);

  const CrlCacheLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Slot> slots_;
};

}  // namespace portwarden::probe
