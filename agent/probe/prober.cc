#include "agent/probe/prober.h"

#include <chrono>

#include <openssl/x509_vfy.h>

#include "agent/core/clock.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/http_check.h"
#include "agent/probe/tcp_connect.h"
#include "agent/probe/tls_handshake.h"
#include "agent/probe/verify_reason.h"

namespace portwarden::probe {
namespace {

ProbeResult NewResult(const ProbeTarget& target) {
  ProbeResult result;
  result.target = target.endpoint.target;
  result.server_name = target.endpoint.server_name;
  result.source = target.source;
  return result;
}

/// Marks the result failed (first failure wins). ProbeRunner logs it, once per change.
void Fail(ProbeResult& result, std::string_view phase, const PhaseError& error) {
  if (result.failure_reason.empty()) {
    result.failure_reason = std::string(error.reason);
    result.failure_detail = error.detail;
    result.failure_phase = std::string(phase);
  }
  result.success = false;
}

void ApplyHandshake(HandshakeOutcome& outcome, ProbeResult& result) {
  result.tls_version = std::move(outcome.tls_version);
  result.cipher = std::move(outcome.cipher);
  result.group = std::move(outcome.group);
  result.chain = std::move(outcome.chain);
  if (result.chain.empty()) {
    result.verify_result = "no_certificate";
    return;
  }
  result.verified = outcome.verify_code == X509_V_OK && !outcome.error;
  result.verify_result = outcome.error && outcome.verify_code == X509_V_OK
                             ? "ok"
                             : std::string(VerifyResultName(outcome.verify_code));
  result.verify_detail = X509_verify_cert_error_string(outcome.verify_code);
  result.verify_depth = outcome.verify_depth;
}

void RunHttpChecks(const ProbeTarget& target,
                   const ResolvedAddress& address,
                   const ProbeDeadline& deadline,
                   ProbeResult& result) {
  const auto& endpoint = target.endpoint;
  HttpCheckResult http =
      HttpsCheck(endpoint, result.server_name, address, target.netns_path, deadline);
  result.phases.http = http.first_byte_seconds;
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
    result.companion_target = endpoint.host + ":" + std::to_string(*companion);
    result.companion_redirects_to_https =
        CompanionRedirectsToHttps(host, *companion, address, target.netns_path, deadline);
  }
}

void ConnectAndHandshake(const ProbeTarget& target,
                         const ResolvedAddress& address,
                         SSL_CTX* ctx,
                         const ProbeDeadline& deadline,
                         ProbeResult& result) {
  SteadyTime start = std::chrono::steady_clock::now();
  auto fd = ConnectTcp(address, target.netns_path, deadline);
  result.phases.connect = SecondsSince(start);
  if (!fd) {
    Fail(result, "connect", fd.error());
    return;
  }
  start = std::chrono::steady_clock::now();
  HandshakeOutcome outcome = TlsHandshake(ctx, fd->get(), result.server_name, deadline);
  result.phases.handshake = SecondsSince(start);
  fd->Reset(-1);
  ApplyHandshake(outcome, result);
  if (outcome.error) {
    Fail(result, "handshake", *outcome.error);
    return;
  }
  if (!result.verified) {
    Fail(result, "verify", {failure::kVerify, result.verify_result + ": " + result.verify_detail});
  }
  if (target.endpoint.http) {
    RunHttpChecks(target, address, deadline, result);
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

ProbeResult ProbeAddress(const ProbeTarget& target,
                         const ResolvedAddress& address,
                         double resolve_seconds,
                         TlsContextCache& contexts,
                         const ProbeDeadline& deadline) {
  ProbeResult result = NewResult(target);
  result.address = address.text;
  result.phases.resolve = resolve_seconds;
  result.success = true;
  const auto& endpoint = target.endpoint;
  auto ctx =
      contexts.Get({endpoint.ca_file, endpoint.ca_path, endpoint.cert_file, endpoint.key_file});
  if (!ctx) {
    Fail(result, "handshake", ctx.error());
  } else {
    ConnectAndHandshake(target, address, ctx->get(), deadline, result);
  }
  result.timestamp = ToUnixSeconds(std::chrono::system_clock::now());
  return result;
}

}  // namespace portwarden::probe
