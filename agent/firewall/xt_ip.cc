#include "agent/firewall/xt_ip.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>

namespace portwarden::firewall {
namespace {

// An address match `(addr & mask) == value`, when the mask is a prefix.
void AppendAddress(
    MatchKey key, U128 value, U128 mask, bool invert, int bits, std::vector<Statement>& out) {
  if (mask == 0 && !invert) {
    return;
  }
  const U128 all = bits == 128 ? ~U128{0} : (U128{1} << bits) - 1;
  const U128 host = ~mask & all;
  if ((host & (host + 1)) != 0) {
    out.push_back(Unmodelled{"xt address mask that is not a prefix"});
    return;
  }
  Elements elements;
  if ((value & host) == 0) {  // else no address equals it under the mask
    elements.push_back({false, "", {value, value | host}});
  }
  out.push_back(MakeMatch(key, invert, std::move(elements)));
}

// `-i NAME` (mask over the name and its NUL) or `-i PREFIX+` (mask over the prefix only);
// `-o` alike (`key` kOifname).
void AppendInterface(MatchKey key,
                     const char (&iface)[IFNAMSIZ],
                     const unsigned char (&mask)[IFNAMSIZ],
                     bool invert,
                     std::vector<Statement>& out) {
  std::size_t masked = 0;
  while (masked < IFNAMSIZ && mask[masked] == 0xff) {
    ++masked;
  }
  bool regular = true;
  for (std::size_t i = masked; i < IFNAMSIZ; ++i) {
    regular = regular && mask[i] == 0;
  }
  const std::size_t length = ::strnlen(iface, IFNAMSIZ);
  if (!regular || (length < masked && length + 1 != masked)) {
    out.push_back(Unmodelled{key == MatchKey::kIifname ? "xt input interface mask"
                                                       : "xt output interface mask"});
    return;
  }
  if (masked == 0) {
    if (invert) {
      out.push_back(NeverMatch());
    }
    return;
  }
  std::string name(iface, std::min(length, masked));
  if (length >= masked) {
    name += '*';  // iptables' `+`: the evaluator's (nft's) interface wildcard
  }
  out.push_back(MakeMatch(key, invert, {{true, std::move(name), {}}}));
}

// The addresses, masks and interfaces of an ipt_ip or ip6t_ip6 (same names in both; the
// addresses an in_addr or an in6_addr).
template <typename Ip>
XtIpPart ReadAddressesAndInterfaces(const Ip& ip) {
  XtIpPart out;
  const auto value = [](const auto& a) {
    return AddressValue(reinterpret_cast<const std::uint8_t*>(&a), static_cast<int>(sizeof(a)));
  };
  out.src = value(ip.src), out.smsk = value(ip.smsk);
  out.dst = value(ip.dst), out.dmsk = value(ip.dmsk);
  std::memcpy(out.iniface, ip.iniface, IFNAMSIZ);
  std::memcpy(out.iniface_mask, ip.iniface_mask, IFNAMSIZ);
  std::memcpy(out.outiface, ip.outiface, IFNAMSIZ);
  std::memcpy(out.outiface_mask, ip.outiface_mask, IFNAMSIZ);
  return out;
}

}  // namespace

XtIpPart ReadXtIp4(const ipt_ip& ip) {
  XtIpPart out = ReadAddressesAndInterfaces(ip);
  out.protocol = {false, ip.proto, (ip.invflags & IPT_INV_PROTO) != 0};
  // ip_packet_match: fails when (F_FRAG and not a fragment) differs from INV_FRAG.
  out.never = ((ip.flags & IPT_F_FRAG) != 0) != ((ip.invflags & IPT_INV_FRAG) != 0);
  out.jump_is_goto = (ip.flags & IPT_F_GOTO) != 0;
  out.inv_src = ip.invflags & IPT_INV_SRCIP, out.inv_dst = ip.invflags & IPT_INV_DSTIP;
  out.inv_in = ip.invflags & IPT_INV_VIA_IN;
  out.inv_out = ip.invflags & IPT_INV_VIA_OUT;
  return out;
}

XtIpPart ReadXtIp6(const ip6t_ip6& ip) {
  XtIpPart out = ReadAddressesAndInterfaces(ip);
  // ip6_packet_match checks the protocol only with F_PROTO. Proto 0 with F_PROTO is what
  // `ip6tables -p all` writes: a TCP/UDP header is never 0, and the kernel then fails only when
  // `proto != 0 && !INV_PROTO`, so proto 0 matches every packet, inverted (`! -p all`) or not.
  const bool checked = (ip.flags & IP6T_F_PROTO) != 0;
  out.protocol = {true, checked ? ip.proto : std::uint16_t{0}, (ip.invflags & IP6T_INV_PROTO) != 0};
  out.jump_is_goto = (ip.flags & IP6T_F_GOTO) != 0;
  out.inv_src = ip.invflags & IP6T_INV_SRCIP, out.inv_dst = ip.invflags & IP6T_INV_DSTIP;
  out.inv_in = ip.invflags & IP6T_INV_VIA_IN;
  out.inv_out = ip.invflags & IP6T_INV_VIA_OUT;
  return out;
}

void AppendXtIpPart(const XtIpPart& ip, std::vector<Statement>& out) {
  if (ip.never) {
    out.push_back(NeverMatch());
    return;
  }
  const int bits = ip.protocol.ipv6 ? 128 : 32;
  AppendAddress(ip.protocol.ipv6 ? MatchKey::kSaddr6 : MatchKey::kSaddr4, ip.src, ip.smsk,
                ip.inv_src, bits, out);
  AppendAddress(ip.protocol.ipv6 ? MatchKey::kDaddr6 : MatchKey::kDaddr4, ip.dst, ip.dmsk,
                ip.inv_dst, bits, out);
  AppendInterface(MatchKey::kIifname, ip.iniface, ip.iniface_mask, ip.inv_in, out);
  AppendInterface(MatchKey::kOifname, ip.outiface, ip.outiface_mask, ip.inv_out, out);
  if (ip.protocol.number != 0) {
    out.push_back(MakeMatch(MatchKey::kL4proto, ip.protocol.inverted,
                            {{false, "", {ip.protocol.number, ip.protocol.number}}}));
  }
}

}  // namespace portwarden::firewall
