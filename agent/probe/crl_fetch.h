#pragma once

#include <cstddef>
#include <string>

#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"

namespace portwarden::probe {

/// Downloads the CRL at `url` (http:// only: RFC 5280 CRLs are served over plain HTTP and are
/// signed; no redirects are followed) through libcurl, from the agent's own network namespace.
/// The body is cut off (`too_large`) once it exceeds `max_bytes` whatever Content-Length
/// says; the transfer ends by `deadline`. Errors carry a crl_failure reason (fetch,
/// http_status, too_large). Thread-safe (one easy handle per call).
PhaseResult<std::string> FetchCrl(const std::string& url,
                                  std::size_t max_bytes,
                                  const ProbeDeadline& deadline);

}  // namespace portwarden::probe
