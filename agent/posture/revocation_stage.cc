#include "agent/posture/revocation_stage.h"

#include <chrono>

#include "agent/core/clock.h"
#include "agent/core/openssl_handles.h"
#include "agent/probe/crl_fetch.h"
#include "agent/probe/ocsp_staple.h"
#include "agent/probe/revocation_check.h"

namespace portwarden::posture {
namespace {

/// The chain as an OpenSSL stack (each certificate up-referenced, freed with the stack).
UniqueX509Stack AsStack(const std::vector<UniqueX509>& chain) {
  UniqueX509Stack stack(sk_X509_new_null());
  for (const auto& cert : chain) {
    if (stack && X509_up_ref(cert.get()) == 1 && sk_X509_push(stack.get(), cert.get()) <= 0) {
      X509_free(cert.get());
    }
  }
  return stack;
}

probe::CrlCacheLimits LimitsOf(const config::RevocationSettings& settings) {
  probe::CrlCacheLimits limits;
  limits.max_bytes = settings.crl_max_bytes;
  limits.max_entries = settings.crl_cache_entries;
  limits.max_total_bytes = std::max(limits.max_total_bytes, settings.crl_max_bytes);
  return limits;
}

}  // namespace

void RevocationStage::Configure(const config::RevocationSettings& settings) {
  const bool same = cache_ && settings.crl_max_bytes == settings_.crl_max_bytes &&
                    settings.crl_cache_entries == settings_.crl_cache_entries;
  settings_ = settings;
  if (!same) {
    cache_ = std::make_unique<probe::CrlCache>(LimitsOf(settings));
  }
}

probe::RevocationReport RevocationStage::Check(const CheckInput& input,
                                               const probe::ProbeDeadline& deadline) {
  const double now = ToUnixSeconds(std::chrono::system_clock::now());
  auto stack = AsStack(input.chain);
  if (!settings_.crl || !cache_) {
    probe::RevocationReport report;
    report.staple = probe::EvaluateStaple(input.ocsp_response, stack.get(), now);
    return report;
  }
  const std::size_t max_bytes = settings_.crl_max_bytes;
  const probe::CrlFetcher fetch = [&](const std::string& url) {
    return probe::FetchCrl(url, max_bytes, deadline);
  };
  return probe::CheckRevocation(stack.get(), input.ocsp_response, *cache_, fetch, now);
}

}  // namespace portwarden::posture
