#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "agent/inventory/socket_source.h"

/// Pure encoding of the in-kernel filter of a connection dump (no I/O): an inet_diag bytecode
/// program over the local port, and the request that carries it.
namespace portwarden::inventory {

/// Most ranges one filter holds; beyond it NormalizePortRanges widens to one range (the
/// caller then drops the extra sockets by port, so the counts stay exact).
inline constexpr std::size_t kMaxFilterRanges = 512;

/// Sorted, overlapping and adjacent ranges merged, at most kMaxFilterRanges (else one range
/// from the lowest to the highest port). Ranges with first > last are dropped.
std::vector<LocalPortRange> NormalizePortRanges(std::span<const LocalPortRange> ranges);

/// The bytecode accepting a socket whose local port is in one of `ranges` (normalized):
/// one alternative per range, each a single S_EQ (a one-port range) or an S_GE/S_LE pair,
/// joined as `ss` joins an OR, by a JMP to the end after every alternative but the last:
///
///   [S_EQ yes=8 no=12][port]  [JMP yes=4 no=rest+4]  [S_GE yes=8 no=20][lo][S_LE yes=8 no=12][hi]
///
/// A passing test falls through to the next op (the JMP, which accepts by jumping to exactly
/// the end); a failing test jumps past its alternative's JMP to the next alternative, or,
/// for the last one, 4 bytes past the end, which the kernel reads as "reject". The kernel's
/// audit follows the `yes` chain, which here visits every op, so every `no` target is on it.
/// Empty `ranges`: empty bytecode (the caller does not dump at all).
std::vector<std::byte> BuildLocalPortFilter(std::span<const LocalPortRange> ranges);

/// What the kernel's inet_diag_bc_run() decides for a socket with local port `port`;
/// nullopt when the program is one the kernel's audit (inet_diag_bc_audit) would refuse.
/// Models the ops this builder emits (S_EQ, S_GE, S_LE, JMP, NOP): for tests.
std::optional<bool> RunLocalPortFilter(std::span<const std::byte> bytecode, std::uint16_t port);

/// The dump request for established TCP sockets of both families in one kernel walk: the
/// compat TCPDIAG_GETSOCK message (struct inet_diag_req, which the kernel runs with family
/// AF_UNSPEC) with state ESTABLISHED and `bytecode` as INET_DIAG_REQ_BYTECODE.
std::vector<std::byte> BuildEstablishedRequest(std::span<const std::byte> bytecode,
                                               std::uint32_t sequence);

}  // namespace portwarden::inventory
