#include "agent/probe/address_probe.h"

#include <poll.h>

#include <chrono>

#include <openssl/x509_vfy.h>

#include "agent/core/text_sanitize.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/tcp_connect.h"
#include "agent/probe/verify_reason.h"

namespace portwarden::probe {
namespace {

/// Copies what the handshake produced, however far it got. Verification fields say what
/// verification found whenever it ran, also when the server aborted the handshake later (a
/// chain that verified stays `ok` and verified next to a `tls_alert` failure).
void ApplyHandshake(HandshakeOutcome& outcome, ProbeResult& result) {
  result.tls_version = std::move(outcome.tls_version);
  result.cipher = std::move(outcome.cipher);
  result.group = std::move(outcome.group);
  result.alpn = std::move(outcome.alpn);
  result.chain = std::move(outcome.chain);
  result.evidence = std::move(outcome.evidence);
  result.chain_pem = std::move(outcome.chain_pem);
  result.client_ca_names = std::move(outcome.client_ca_names);
  if (result.chain.empty()) {
    result.verify_result = "no_certificate";
    return;
  }
  if (!outcome.verify_checked) {
    result.verify_result = "other";
    result.verify_detail = "the handshake ended before the chain was verified";
    return;
  }
  result.verified = outcome.verify_code == X509_V_OK;
  result.verify_result = std::string(VerifyResultName(outcome.verify_code));
  result.verify_detail = X509_verify_cert_error_string(outcome.verify_code);
  result.verify_depth = outcome.verify_depth;
}

}  // namespace

ProbeResult NewResult(const ProbeTarget& target) {
  ProbeResult result;
  result.target = target.endpoint.target;
  result.server_name = target.endpoint.server_name;
  result.source = target.source;
  return result;
}

void Fail(ProbeResult& result, std::string_view phase, const PhaseError& error) {
  if (result.failure_reason.empty()) {
    result.failure_reason = std::string(error.reason);
    result.failure_detail = text::Sanitize(error.detail, text::Kind::kErrorText);
    result.failure_phase = std::string(phase);
  }
  result.success = false;
}

AddressProbe::AddressProbe(const ProbeTarget& target,
                           const ResolvedAddress& address,
                           double resolve_seconds,
                           PhaseResult<SSL_CTX*> ctx,
                           const ProbeDeadline& deadline)
    : target_(target), address_(address), deadline_(deadline), result_(NewResult(target)) {
  result_.address = address.text;
  result_.phases.resolve = resolve_seconds;
  result_.success = true;
  if (ctx) {
    ctx_ = *ctx;
  } else {
    Fail(result_, "handshake", ctx.error());
    state_ = State::kDone;
  }
}

AddressProbe::~AddressProbe() = default;

short AddressProbe::Step() {
  switch (state_) {
    case State::kStart:
      return Start();
    case State::kConnecting:
      return Connected();
    case State::kHandshaking:
      return Handshake();
    case State::kDone:
      return 0;
  }
  return 0;
}

short AddressProbe::Start() {
  phase_start_ = std::chrono::steady_clock::now();
  auto fd = StartConnect(address_, target_.netns_path);
  if (!fd) {
    result_.phases.connect = SecondsSince(phase_start_);
    Fail(result_, "connect", fd.error());
    state_ = State::kDone;
    return 0;
  }
  fd_ = std::move(*fd);
  state_ = State::kConnecting;
  return POLLOUT;
}

short AddressProbe::Connected() {
  const auto error = FinishConnect(fd_.get());
  result_.phases.connect = SecondsSince(phase_start_);
  if (error) {
    Fail(result_, "connect", *error);
    fd_.Reset(-1);
    state_ = State::kDone;
    return 0;
  }
  phase_start_ = std::chrono::steady_clock::now();
  tls_ = std::make_unique<TlsClient>(ctx_, fd_.get(), result_.server_name, deadline_.at);
  if (target_.endpoint.capture_pem) {
    tls_->CapturePem();
  }
  state_ = State::kHandshaking;
  return Handshake();
}

short AddressProbe::Handshake() {
  const short events = tls_->Step();
  if (events == 0) {
    EndHandshake();
  }
  return events;
}

void AddressProbe::EndHandshake() {
  HandshakeOutcome outcome = tls_->Finish();
  // Up to where our side of the handshake ended: not the agent's own verdict wait.
  result_.phases.handshake =
      outcome.ended_at ? std::chrono::duration<double>(*outcome.ended_at - phase_start_).count()
                       : SecondsSince(phase_start_);
  tls_.reset();
  fd_.Reset(-1);
  state_ = State::kDone;
  ApplyHandshake(outcome, result_);
  if (outcome.error) {
    Fail(result_, "handshake", *outcome.error);
    return;
  }
  handshake_completed_ = true;
  if (!result_.verified) {
    Fail(result_, "verify",
         {failure::kVerify, result_.verify_result + ": " + result_.verify_detail});
  }
}

SteadyTime AddressProbe::WaitLimit() const {
  return tls_ ? tls_->WaitLimit(deadline_.at) : deadline_.at;
}

void AddressProbe::Expire() {
  switch (state_) {
    case State::kStart:
    case State::kConnecting:
      if (state_ == State::kConnecting) {
        result_.phases.connect = SecondsSince(phase_start_);
      }
      Fail(result_, "connect", ConnectTimeout(deadline_));
      fd_.Reset(-1);
      state_ = State::kDone;
      return;
    case State::kHandshaking:
      tls_->Expire({deadline_.Cancelled() ? failure::kCancelled : failure::kTlsTimeout,
                    "handshake: no answer before the deadline"});
      EndHandshake();
      return;
    case State::kDone:
      return;
  }
}

}  // namespace portwarden::probe
