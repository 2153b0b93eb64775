#pragma once

#include <optional>
#include <string>

#include "agent/core/openssl_handles.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"

namespace portwarden::probe {

/// Opens a non-blocking TCP connection to `address` before `deadline`. When `netns_path` is
/// not empty the socket is created inside that network namespace: the calling thread enters
/// it with setns() for the socket() call only and returns to its own namespace before
/// connecting (a socket keeps the namespace it was created in). Needs CAP_SYS_ADMIN for a
/// foreign namespace. Thread-safe (changes only the calling thread's namespace).
PhaseResult<UniqueFd> ConnectTcp(const ResolvedAddress& address,
                                 const std::string& netns_path,
                                 const ProbeDeadline& deadline);

/// A non-blocking TCP socket of `family`, created inside `netns_path` when it is not empty
/// (see ConnectTcp). Thread-safe.
PhaseResult<UniqueFd> OpenTcpSocket(int family, const std::string& netns_path);

/// The first half of ConnectTcp: creates the socket (inside `netns_path` when set) and starts a
/// non-blocking connect. Wait for POLLOUT on the socket, then call FinishConnect.
PhaseResult<UniqueFd> StartConnect(const ResolvedAddress& address, const std::string& netns_path);

/// The second half of ConnectTcp, once the socket polled writable (or in error): the connect's
/// outcome; sets TCP_NODELAY on success.
std::optional<PhaseError> FinishConnect(int fd);

/// The error of a connect that did not complete before `deadline` (or was cancelled).
PhaseError ConnectTimeout(const ProbeDeadline& deadline);

/// Waits until `fd` is readable (`events` = POLLIN) or writable (POLLOUT) or the deadline
/// passes or the probe is cancelled. Returns true when ready.
bool WaitFd(int fd, short events, const ProbeDeadline& deadline);

}  // namespace portwarden::probe
