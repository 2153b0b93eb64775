#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "agent/core/error.h"

namespace portwarden::firewall {

/// Which ruleset a namespace holds: the namespace's cookie (SO_NETNS_COOKIE, never reused
/// during a boot, unlike its inode number) and its nf_tables generation id.
struct RulesetGeneration {
  std::uint64_t netns_cookie = 0;
  std::uint32_t id = 0;
  bool operator==(const RulesetGeneration&) const = default;
};

/// The NFT_MSG_GETGEN request (nfnetlink, nf_tables subsystem) with sequence number `sequence`.
std::vector<std::byte> BuildGetGenRequest(std::uint32_t sequence);

/// The generation id (NFTA_GEN_ID) from the kernel's answer to BuildGetGenRequest(`sequence`):
/// one NFT_MSG_NEWGEN message, or an NLMSG_ERROR whose errno is returned. Pure; every byte is
/// checked against `reply`'s size.
Result<std::uint32_t> ParseGenReply(std::span<const std::byte> reply, std::uint32_t sequence);

/// The nftables ruleset generation of the calling thread's network namespace: one request on a
/// NETLINK_NETFILTER socket made for it, and that socket's netns cookie. The kernel bumps the id at
/// every committed ruleset transaction (any table, chain, rule, set or element change), so an
/// unchanged id means an unchanged ruleset, except set elements that expire (timeouts) or that
/// rules add from the packet path (see Ruleset::volatile_sets). Needs CAP_NET_ADMIN over the
/// namespace.
Result<RulesetGeneration> ReadNftGeneration();

}  // namespace portwarden::firewall
