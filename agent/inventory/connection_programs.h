#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

#include "agent/core/error.h"

namespace portwarden::inventory {

class BtfIndex;

/// Where the running kernel keeps what the connection tracker's programs read, from its BTF.
struct SockLayout {
  std::uint32_t set_state_btf_id = 0;  ///< TYPEDEF btf_trace_inet_sock_set_state
  std::uint32_t iter_tcp_btf_id = 0;   ///< FUNC bpf_iter_tcp
  // Byte offsets in struct sock_common (struct sock starts with one).
  std::int16_t daddr = 0;           ///< skc_daddr (be32)
  std::int16_t rcv_saddr = 0;       ///< skc_rcv_saddr (be32)
  std::int16_t num = 0;             ///< skc_num (u16, host order)
  std::int16_t family = 0;          ///< skc_family (u16)
  std::int16_t state = 0;           ///< skc_state (u8)
  std::int16_t net = 0;             ///< skc_net (struct net *)
  std::int16_t v6_daddr = 0;        ///< skc_v6_daddr (16 bytes)
  std::int16_t v6_rcv_saddr = 0;    ///< skc_v6_rcv_saddr (16 bytes)
  std::int16_t protocol = 0;        ///< struct sock.sk_protocol (u16)
  std::int16_t net_inum = 0;        ///< struct net.ns.inum (u32)
  std::int16_t iter_sk_common = 8;  ///< struct bpf_iter__tcp.sk_common (the iterator's socket)
};

/// Reads the layout; fails naming the first thing the kernel lacks (an old kernel, a
/// kernel without IPv6, sk_protocol still a bit field before Linux 5.6...).
Result<SockLayout> ReadSockLayout(const BtfIndex& btf);

/// The map fds the programs reference (see connection_keys.h for the records).
struct TrackerMaps {
  int watched = -1;      ///< hash WatchedKey → u32
  int sockets = -1;      ///< hash u64 (the sock's address) → CountKey
  int counts = -1;       ///< hash CountKey → u64 established sockets
  int peer_scopes = -1;  ///< LPM trie PeerScopeKey → u32 Scope
  int overflow = -1;     ///< array [kOverflowSlots] of u64: inserts refused for lack of space
};

/// `overflow` slots: a full sockets map, a full counts map.
inline constexpr std::uint32_t kOverflowSockets = 0;
inline constexpr std::uint32_t kOverflowCounts = 1;
inline constexpr std::uint32_t kOverflowSlots = 2;

/// The `tp_btf/inet_sock_set_state` program: a TCP socket entering ESTABLISHED on a watched
/// (namespace, port) is inserted into `sockets` (BPF_NOEXIST) and, only if that insert
/// succeeded, its CountKey's count goes up by one; a socket leaving ESTABLISHED is deleted
/// from `sockets` and, only if it was there, its count goes down by one.
std::vector<bpf_insn> StateChangeProgram(const SockLayout& layout, const TrackerMaps& maps);

/// The `iter/tcp` program that seeds the counts: the same insert-then-count for every
/// ESTABLISHED socket of the iterator's namespace on a watched port. The NOEXIST inserts of
/// both programs make a socket seen by both count once.
std::vector<bpf_insn> SeedIteratorProgram(const SockLayout& layout, const TrackerMaps& maps);

}  // namespace portwarden::inventory
