#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include <openssl/ssl.h>

#include "agent/core/openssl_handles.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"
#include "agent/probe/probe_result.h"
#include "agent/probe/tls_handshake.h"

namespace portwarden::probe {

/// A result for `target` with its identity filled in and nothing measured yet.
ProbeResult NewResult(const ProbeTarget& target);

/// Marks the result failed in `phase` (the first failure wins) and not successful.
void Fail(ProbeResult& result, std::string_view phase, const PhaseError& error);

/// The TCP connect and TLS handshake of one resolved address of one target, as a state
/// machine that never blocks: Step() does what can be done now and says which socket event to
/// wait for, so one thread can drive many probes (ProbeLoop) or one probe (ProbeAddress).
/// Both phases share the probe's deadline. The HTTP checks are not part of it. `target`,
/// `address` and `ctx` must outlive the probe. One thread at a time.
class AddressProbe {
 public:
  /// `ctx` is the client context for the target, or why none could be built.
  AddressProbe(const ProbeTarget& target,
               const ResolvedAddress& address,
               double resolve_seconds,
               PhaseResult<SSL_CTX*> ctx,
               const ProbeDeadline& deadline);
  AddressProbe(const AddressProbe&) = delete;
  AddressProbe& operator=(const AddressProbe&) = delete;
  ~AddressProbe();

  /// Advances as far as possible without blocking. Returns the poll events to wait for on
  /// fd() before the next Step(), or 0 when connect and handshake are over.
  short Step();

  /// The socket to wait on while Step() returns events.
  int fd() const { return fd_.get(); }

  /// When to give up waiting (then call Expire()): the probe's deadline, or earlier.
  SteadyTime WaitLimit() const;

  /// The wait ran out or the probe was cancelled: ends the phase in progress.
  void Expire();

  /// Whether the handshake completed, verified or not: the HTTP checks may follow.
  bool HandshakeCompleted() const { return handshake_completed_; }

  const ProbeTarget& target() const { return target_; }

  const ResolvedAddress& address() const { return address_; }

  const ProbeDeadline& deadline() const { return deadline_; }

  /// The result so far; call once Step() returned 0 or after Expire().
  ProbeResult& result() { return result_; }

 private:
  enum class State : std::uint8_t { kStart, kConnecting, kHandshaking, kDone };
  short Start();
  short Connected();
  short Handshake();
  void EndHandshake();

  const ProbeTarget& target_;
  const ResolvedAddress& address_;
  ProbeDeadline deadline_;
  SSL_CTX* ctx_ = nullptr;
  ProbeResult result_;
  State state_ = State::kStart;
  UniqueFd fd_;
  SteadyTime phase_start_{};
  std::unique_ptr<TlsClient> tls_;
  bool handshake_completed_ = false;
};

}  // namespace portwarden::probe
