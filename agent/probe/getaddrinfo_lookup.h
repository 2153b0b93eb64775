#pragma once

#include <netdb.h>

#include <memory>
#include <string>

#include "agent/config/endpoint_config.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"

namespace portwarden::probe {

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

using AddrInfoList = std::unique_ptr<addrinfo, AddrInfoDeleter>;

/// A finished getaddrinfo() call: its return code and its list, freed with the last owner.
struct LookupAnswer {
  int code = 0;
  AddrInfoList list;
};

/// Looks `name` up (getaddrinfo, TCP, no service, addresses of `family`) on a detached helper
/// thread and waits for it until the deadline passes (`dns_timeout`) or the probe is cancelled
/// (`cancelled`, noticed within 50 ms). The helper thread and the answer share one reference-
/// counted state, so a wait that gives up leaks nothing: the abandoned lookup frees its answer
/// when getaddrinfo finally returns. A lookup of the same (name, family) still in flight is
/// joined rather than started again, so a resolver that never answers holds at most one
/// thread per name however many cycles ask. Thread-safe.
PhaseResult<std::shared_ptr<const LookupAnswer>> LookUpName(const std::string& name,
                                                            config::IpFamily family,
                                                            const ProbeDeadline& deadline);

/// getaddrinfo's address family for `family`.
int FamilyHint(config::IpFamily family);

}  // namespace portwarden::probe
