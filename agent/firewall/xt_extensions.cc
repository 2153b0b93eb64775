// Each modelled extension reads its kernel struct (memcpy from a data span checked to hold
// it) and says what it means for a new inbound connection; any field it cannot express in the
// model makes the whole match Unmodelled, naming the extension and the field.
#include "agent/firewall/xt_extensions.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>

namespace portwarden::firewall {
namespace {

template <typename T>
std::optional<T> Read(std::span<const std::byte> data) {
  if (data.size() < sizeof(T)) {
    return std::nullopt;
  }
  T value;
  std::memcpy(&value, data.data(), sizeof(T));
  return value;
}

Unmodelled Unknown(const XtExtension& match, const std::string& what) {
  return Unmodelled{"xt match " + match.name + (what.empty() ? "" : " " + what)};
}

// A destination port range [lo, hi], inverted or not; a range the kernel would never match
// (lo > hi) is an empty one.
void AppendDports(
    MatchKey key, std::uint16_t lo, std::uint16_t hi, bool invert, std::vector<Statement>& out) {
  if (lo == 0 && hi == 0xffff && !invert) {
    return;
  }
  Elements elements;
  if (lo <= hi) {
    elements.push_back({false, "", {lo, hi}});
  }
  out.push_back(MakeMatch(key, invert, std::move(elements)));
}

void AppendTcp(const XtExtension& match, std::vector<Statement>& out) {
  const auto tcp = Read<xt_tcp>(match.data);
  if (!tcp) {
    out.push_back(Unknown(match, "(short data)"));
  } else if (tcp->spts[0] != 0 || tcp->spts[1] != 0xffff || (tcp->invflags & XT_TCP_INV_SRCPT)) {
    out.push_back(Unknown(match, "sport"));
  } else if (tcp->option != 0 || (tcp->invflags & XT_TCP_INV_OPTION)) {
    out.push_back(Unknown(match, "tcp-option"));
  } else {
    // --syn (SYN set, RST ACK FIN clear) holds for the first packet of a new connection.
    const bool syn = tcp->flg_mask == 0x17 && tcp->flg_cmp == 0x02;
    if (tcp->flg_mask != 0 && !syn) {
      out.push_back(Unknown(match, "tcp-flags"));
      return;
    }
    if (syn && (tcp->invflags & XT_TCP_INV_FLAGS)) {
      out.push_back(NeverMatch());
      return;
    }
    AppendDports(MatchKey::kTcpDport, tcp->dpts[0], tcp->dpts[1],
                 (tcp->invflags & XT_TCP_INV_DSTPT) != 0, out);
  }
}

void AppendUdp(const XtExtension& match, std::vector<Statement>& out) {
  const auto udp = Read<xt_udp>(match.data);
  if (!udp) {
    out.push_back(Unknown(match, "(short data)"));
  } else if (udp->spts[0] != 0 || udp->spts[1] != 0xffff || (udp->invflags & XT_UDP_INV_SRCPT)) {
    out.push_back(Unknown(match, "sport"));
  } else {
    AppendDports(MatchKey::kUdpDport, udp->dpts[0], udp->dpts[1],
                 (udp->invflags & XT_UDP_INV_DSTPT) != 0, out);
  }
}

void AppendMultiport(const XtExtension& match,
                     const XtProtocol& protocol,
                     std::vector<Statement>& out) {
  const bool v1 = match.revision == 1;
  const auto v0 = Read<xt_multiport>(match.data);
  const auto ranges = v1 ? Read<xt_multiport_v1>(match.data) : std::nullopt;
  if (!v0 || (v1 && !ranges) || match.revision > 1) {
    out.push_back(Unknown(match, "(revision or short data)"));
    return;
  }
  if (v0->flags != XT_MULTIPORT_DESTINATION || v0->count > XT_MULTI_PORTS) {
    out.push_back(Unknown(match, v0->flags == XT_MULTIPORT_SOURCE ? "sports" : "ports"));
    return;
  }
  const bool tcp = protocol.number == IPPROTO_TCP, udp = protocol.number == IPPROTO_UDP;
  if ((!tcp && !udp) || protocol.inverted) {
    out.push_back(Unknown(match, "protocol " + std::to_string(protocol.number)));
    return;
  }
  Elements elements;
  for (std::size_t i = 0; i < v0->count; ++i) {
    const std::uint16_t lo = v0->ports[i];
    std::uint16_t hi = lo;
    if (v1 && ranges->pflags[i] != 0 && i + 1 < v0->count) {
      hi = ranges->ports[++i];
    }
    if (lo <= hi) {
      elements.push_back({false, "", {lo, hi}});
    }
  }
  out.push_back(MakeMatch(tcp ? MatchKey::kTcpDport : MatchKey::kUdpDport,
                          v1 && ranges->invert != 0, std::move(elements)));
}

// The ct states of a state mask (XT_STATE_BIT numbering, shared by state and conntrack).
Elements StateNames(unsigned mask) {
  static const std::pair<unsigned, const char*> kBits[] = {
      {1U << 0, "invalid"},
      {1U << (IP_CT_ESTABLISHED + 1), "established"},
      {1U << (IP_CT_RELATED + 1), "related"},
      {1U << (IP_CT_NEW + 1), "new"}};
  Elements out;
  for (const auto& [bit, name] : kBits) {
    if ((mask & bit) != 0) {
      out.push_back({true, name, {}});
    }
  }
  return out;
}

void AppendConntrack(const XtExtension& match, std::vector<Statement>& out) {
  std::uint16_t flags = 0, invert = 0, states = 0;
  if (match.revision == 1) {
    if (const auto info = Read<xt_conntrack_mtinfo1>(match.data)) {
      flags = info->match_flags, invert = info->invert_flags, states = info->state_mask;
    }
  } else if (match.revision == 2) {
    if (const auto info = Read<xt_conntrack_mtinfo2>(match.data)) {
      flags = info->match_flags, invert = info->invert_flags, states = info->state_mask;
    }
  } else if (match.revision == 3) {
    if (const auto info = Read<xt_conntrack_mtinfo3>(match.data)) {
      flags = info->match_flags, invert = info->invert_flags, states = info->state_mask;
    }
  }
  const unsigned kNat = XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT;
  if ((flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS)) != 0 ||
      (flags & XT_CONNTRACK_STATE) == 0) {
    out.push_back(Unknown(match, "(options other than --ctstate, or revision)"));
  } else if ((states & kNat) != 0) {
    out.push_back(Unknown(match, "ctstate SNAT/DNAT"));
  } else {
    out.push_back(
        MakeMatch(MatchKey::kCtState, (invert & XT_CONNTRACK_STATE) != 0, StateNames(states)));
  }
}

void AppendState(const XtExtension& match, std::vector<Statement>& out) {
  const auto info = Read<xt_state_info>(match.data);
  if (!info) {
    out.push_back(Unknown(match, "(short data)"));
    return;
  }
  out.push_back(MakeMatch(MatchKey::kCtState, false, StateNames(info->statemask)));
}

// `--dst-type LOCAL` alone (Docker's PREROUTING jump), `!` or not: the destination is one
// of the namespace's own addresses. A source type, other types or an interface limit are not.
void AppendAddrtype(const XtExtension& match, std::vector<Statement>& out) {
  std::uint16_t source = 0, dest = 0;
  bool bad_flags = false, invert = false;
  if (match.revision == 1) {
    if (const auto info = Read<xt_addrtype_info_v1>(match.data)) {
      source = info->source, dest = info->dest;
      bad_flags = (info->flags & ~std::uint32_t{XT_ADDRTYPE_INVERT_DEST}) != 0;
      invert = (info->flags & XT_ADDRTYPE_INVERT_DEST) != 0;
    } else {
      bad_flags = true;
    }
  } else if (const auto info = Read<xt_addrtype_info>(match.data); info && match.revision == 0) {
    source = info->source, dest = info->dest;
    bad_flags = info->invert_source != 0;
    invert = info->invert_dest != 0;
  } else {
    bad_flags = true;
  }
  if (bad_flags || source != 0 || dest != XT_ADDRTYPE_LOCAL) {
    out.push_back(Unknown(match, "(other than --dst-type LOCAL)"));
    return;
  }
  out.push_back(MakeMatch(MatchKey::kDaddrLocal, invert, {}));
}

// DNAT's ranges: revision 0 (IPv4 only) a one-range compat list, 1 and 2 one range.
Statement Dnat(const XtExtension& target, bool ipv6) {
  const Unmodelled unknown{"xt target DNAT (a range, or options)"};
  unsigned flags = 0;
  U128 lo = 0, hi = 0;
  std::uint16_t port_lo = 0, port_hi = 0;
  if (target.revision == 0 && !ipv6) {
    const auto compat = Read<nf_nat_ipv4_multi_range_compat>(target.data);
    if (!compat || compat->rangesize != 1) {
      return unknown;
    }
    const auto& range = compat->range[0];
    flags = range.flags;
    lo = ntohl(range.min_ip), hi = ntohl(range.max_ip);
    port_lo = ntohs(range.min.all), port_hi = ntohs(range.max.all);
  } else if (target.revision == 1 || target.revision == 2) {
    const auto range = Read<nf_nat_range>(target.data);  // range2 begins with the same fields
    if (!range) {
      return unknown;
    }
    flags = range->flags;
    const auto* min = reinterpret_cast<const std::uint8_t*>(&range->min_addr);
    const auto* max = reinterpret_cast<const std::uint8_t*>(&range->max_addr);
    lo = AddressValue(min, ipv6 ? 16 : 4), hi = AddressValue(max, ipv6 ? 16 : 4);
    port_lo = ntohs(range->min_proto.all), port_hi = ntohs(range->max_proto.all);
  } else {
    return unknown;
  }
  const bool port = (flags & NF_NAT_RANGE_PROTO_SPECIFIED) != 0;
  if ((flags & ~unsigned{NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED}) != 0 ||
      (flags & NF_NAT_RANGE_MAP_IPS) == 0 || lo != hi || (port && port_lo != port_hi)) {
    return unknown;
  }
  return DnatStmt{{lo, lo}, ipv6, port ? port_lo : std::uint16_t{0}};
}

}  // namespace

Match MakeMatch(MatchKey key, bool negate, Elements elements) {
  std::vector<Interval> parts;
  for (const auto& element : elements) {
    if (!element.is_name) {
      parts.push_back(element.interval);
    }
  }
  return Match{key, negate, std::make_shared<const Elements>(std::move(elements)),
               IntervalSet(std::move(parts))};
}

Match NeverMatch() {
  return MakeMatch(MatchKey::kL4proto, false, {});
}

void AppendXtMatch(const XtExtension& match,
                   const XtProtocol& protocol,
                   std::vector<Statement>& out) {
  if (match.name == "tcp") {
    AppendTcp(match, out);
  } else if (match.name == "udp") {
    AppendUdp(match, out);
  } else if (match.name == "multiport") {
    AppendMultiport(match, protocol, out);
  } else if (match.name == "conntrack") {
    AppendConntrack(match, out);
  } else if (match.name == "state") {
    AppendState(match, out);
  } else if (match.name == "addrtype") {
    AppendAddrtype(match, out);
  } else if (match.name != "comment") {
    out.push_back(Unknown(match, ""));
  }
}

Statement XtTargetStatement(const XtExtension& target, bool ipv6) {
  if (target.name == "REJECT") {
    return VerdictStmt{VerdictStmt::Kind::kReject, ""};
  }
  if (target.name == "LOG" || target.name == "NFLOG") {
    return NopStmt{};
  }
  if (target.name == "DNAT") {
    return Dnat(target, ipv6);
  }
  return Unmodelled{"xt target " + target.name};
}

}  // namespace portwarden::firewall
