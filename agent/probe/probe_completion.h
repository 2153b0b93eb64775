#pragma once

#include "agent/probe/address_probe.h"
#include "agent/probe/probe_result.h"

namespace portwarden::probe {

/// The result of a probe whose connect and handshake are over: runs the target's HTTP checks
/// (blocking, under the probe's deadline) when the handshake completed, and stamps the time.
ProbeResult CompleteProbe(AddressProbe& probe);

/// The result for a target whose name did not resolve.
ProbeResult ResolveFailure(const ProbeTarget& target, const PhaseError& error, double seconds);

}  // namespace portwarden::probe
