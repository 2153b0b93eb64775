#include "agent/probe/probe_completion.h"

#include <chrono>

#include "agent/core/clock.h"
#include "agent/core/text_sanitize.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/http_check.h"

namespace portwarden::probe {
namespace {

void RunHttpChecks(const ProbeTarget& target,
                   const ResolvedAddress& address,
                   const ProbeDeadline& deadline,
                   ProbeResult& result) {
  const auto& endpoint = target.endpoint;
  HttpCheckResult http =
      HttpsCheck(endpoint, result.server_name, address, target.netns_path, deadline);
  result.phases.http = http.seconds;
  result.http_status = http.status;
  if (http.status) {
    result.hsts = http.hsts;
    result.hsts_max_age = http.hsts_max_age;
  }
  if (http.error) {
    Fail(result, "http", *http.error);
  }
  std::optional<std::uint16_t> companion = endpoint.plain_http_companion;
  if (!companion && endpoint.port == 443) {
    companion = 80;
  }
  if (companion && !deadline.Expired() && !deadline.Cancelled()) {
    const std::string host = result.server_name.empty() ? endpoint.host : result.server_name;
    if (auto answer = CheckCompanion(host, *companion, address, target.netns_path, deadline)) {
      result.companion_address = std::move(answer->address);
      result.companion_status = answer->status;
      result.companion_location = text::Sanitize(answer->location, text::Kind::kHttpHeader);
      result.companion_redirects_to_https = answer->redirects_to_https;
    }
  }
}

}  // namespace

ProbeResult ResolveFailure(const ProbeTarget& target, const PhaseError& error, double seconds) {
  ProbeResult result = NewResult(target);
  result.phases.resolve = seconds;
  Fail(result, "resolve", error);
  result.timestamp = ToUnixSeconds(std::chrono::system_clock::now());
  return result;
}

ProbeResult CompleteProbe(AddressProbe& probe) {
  ProbeResult& result = probe.result();
  if (probe.HandshakeCompleted() && probe.target().endpoint.http) {
    RunHttpChecks(probe.target(), probe.address(), probe.deadline(), result);
  }
  result.timestamp = ToUnixSeconds(std::chrono::system_clock::now());
  return std::move(result);
}

}  // namespace portwarden::probe
