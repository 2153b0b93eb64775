#pragma once

#include <openssl/ssl.h>

#include "agent/probe/address_probe.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/probe_deadline.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// Probes one resolved address of one target on the calling thread: TCP connect (inside the
/// target's netns when set), TLS handshake with verification recorded (an AddressProbe), then
/// the optional HTTP checks. All phases share `deadline`. `ctx` is the target's client context
/// or why there is none. Thread-safe.
ProbeResult ProbeAddress(const ProbeTarget& target,
                         const ResolvedAddress& address,
                         double resolve_seconds,
                         PhaseResult<SSL_CTX*> ctx,
                         const ProbeDeadline& deadline);

/// The result of a probe whose connect and handshake are over: runs the target's HTTP checks
/// (blocking, under the probe's deadline) when the handshake completed, and stamps the time.
ProbeResult CompleteProbe(AddressProbe& probe);

/// The result for a target whose name did not resolve.
ProbeResult ResolveFailure(const ProbeTarget& target, const PhaseError& error, double seconds);

}  // namespace portwarden::probe
