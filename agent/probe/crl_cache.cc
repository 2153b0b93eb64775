#include "agent/probe/crl_cache.h"

#include <algorithm>

#include "agent/probe/revocation_result.h"

namespace portwarden::probe {
namespace {

bool Fresh(const CachedCrl& held, double now, double retry_after) {
  if (now - held.attempted_at < retry_after) {
    return true;
  }
  return held.crl && held.error.empty() && held.times.next_update && now < *held.times.next_update;
}

}  // namespace

std::shared_ptr<const CachedCrl> CrlCache::Get(const std::string& url,
                                               double now,
                                               const CrlFetcher& fetch) {
  std::shared_ptr<const CachedCrl> previous;
  {
    const std::lock_guard lock(mutex_);
    if (auto it = slots_.find(url); it != slots_.end()) {
      it->second.last_used = now;
      previous = it->second.crl;
      if (Fresh(*previous, now, limits_.retry_after_seconds)) {
        return previous;
      }
    }
  }
  auto downloaded = Download(url, now, fetch, previous);
  Store(url, downloaded, now);
  return downloaded;
}

std::shared_ptr<const CachedCrl> CrlCache::Download(
    const std::string& url,
    double now,
    const CrlFetcher& fetch,
    const std::shared_ptr<const CachedCrl>& previous) {
  auto next = std::make_shared<CachedCrl>(previous ? *previous : CachedCrl{});
  next->attempted_at = now;
  auto body = fetch(url);
  if (!body) {
    next->error = std::string(body.error().reason);
    next->detail = body.error().detail;
    return next;
  }
  if (body->size() > limits_.max_bytes) {  // a fetcher that ignored the cap
    next->error = std::string(crl_failure::kTooLarge);
    next->detail = "CRL of " + std::to_string(body->size()) + " bytes";
    return next;
  }
  auto parsed = crl::Parse(*body);
  if (!parsed) {
    next->error = std::string(crl_failure::kParse);
    next->detail = parsed.error().message;
    return next;
  }
  next->times = crl::UpdateTimes(parsed->get());
  next->crl = std::shared_ptr<X509_CRL>(parsed->release(), crl::CrlDeleter());
  next->bytes = body->size();
  next->fetched_at = now;
  next->error.clear();
  next->detail.clear();
  return next;
}

/// Inserts or replaces `url`'s entry, then evicts the least recently used other entries
/// while over the count or byte bound.
void CrlCache::Store(const std::string& url, std::shared_ptr<const CachedCrl> crl, double now) {
  const std::lock_guard lock(mutex_);
  slots_[url] = Slot{std::move(crl), now};
  auto total = [&] {
    std::size_t bytes = 0;
    for (const auto& [key, slot] : slots_) {
      bytes += slot.crl->bytes;
    }
    return bytes;
  };
  while (slots_.size() > 1 &&
         (slots_.size() > limits_.max_entries || total() > limits_.max_total_bytes)) {
    auto oldest = slots_.end();
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
      if (it->first != url &&
          (oldest == slots_.end() || it->second.last_used < oldest->second.last_used)) {
        oldest = it;
      }
    }
    slots_.erase(oldest);
  }
}

std::size_t CrlCache::size() const {
  const std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace portwarden::probe
