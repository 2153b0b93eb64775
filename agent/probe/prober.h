#pragma once

#include "agent/probe/probe_deadline.h"
#include "agent/probe/probe_result.h"
#include "agent/probe/resolver.h"
#include "agent/probe/tls_context.h"

namespace portwarden::probe {

/// Probes one resolved address of one target: TCP connect (inside the target's netns when
/// set), TLS handshake with verification recorded, then the optional HTTP checks. All phases
/// share `deadline`. Logs one warning line naming target, phase and error on failure.
/// Thread-safe; `contexts` is shared.
ProbeResult ProbeAddress(const ProbeTarget& target,
                         const ResolvedAddress& address,
                         double resolve_seconds,
                         TlsContextCache& contexts,
                         const ProbeDeadline& deadline);

/// The result for a target whose name did not resolve.
ProbeResult ResolveFailure(const ProbeTarget& target, const PhaseError& error, double seconds);

}  // namespace portwarden::probe
