#pragma once

// Builds x_tables images in the kernel's layout (struct ipt_entry / ip6t_entry, 32-byte
// extension headers, 8-byte alignment), laid out as iptables does: the built-in chains in hook
// order, each ending with its policy, then user chains (an ERROR head, rules, a closing
// RETURN), then the closing ERROR entry; the matches, targets and constants the x_tables
// tests share, and their translation. For the parser's tests (and its fuzz seeds).
#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "agent/firewall/xt_image.h"

namespace portwarden::firewall::testing {

/// A match or target: name, revision and its data (padded to 8 bytes when added).
struct XtExt {
  std::string name;
  std::uint8_t revision = 0;
  std::vector<std::byte> data;
};

template <typename T>
XtExt Ext(const std::string& name, std::uint8_t revision, const T& value) {
  XtExt ext{name, revision, std::vector<std::byte>(sizeof(T))};
  std::memcpy(ext.data.data(), &value, sizeof(T));
  return ext;
}

inline XtExt Standard(int verdict) {
  return Ext("", 0, verdict);
}

inline XtExt ErrorTarget(const std::string& name) {
  char text[XT_FUNCTION_MAXNAMELEN] = {};
  std::memcpy(text, name.data(), std::min(name.size(), sizeof(text) - 1));
  return Ext("ERROR", 0, text);
}

inline constexpr int kAccept = -NF_ACCEPT - 1;
inline constexpr int kDrop = -NF_DROP - 1;
inline constexpr int kReturn = XT_RETURN;

inline constexpr U128 kTen = 0x0a000000;     // 10.0.0.0
inline constexpr U128 kSlash8 = 0xff000000;  // /8

/// `-p tcp --dport lo:hi` (`! --dport` with `invert`).
inline XtExt TcpDport(std::uint16_t lo, std::uint16_t hi, bool invert = false) {
  xt_tcp tcp{};
  tcp.spts[1] = 0xffff;
  tcp.dpts[0] = lo, tcp.dpts[1] = hi;
  tcp.invflags = invert ? XT_TCP_INV_DSTPT : 0;
  return Ext("tcp", 0, tcp);
}

/// `-j DNAT --to-destination address:port` (IPv4, host byte order), as revision 2 writes it.
inline XtExt Dnat(std::uint32_t address, std::uint16_t port) {
  nf_nat_range2 range{};
  range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
  range.min_addr.ip = range.max_addr.ip = htonl(address);
  range.min_proto.all = range.max_proto.all = htons(port);
  return Ext("DNAT", 2, range);
}

/// The ip part of a rule, both families (IPv4 in the low 32 bits).
struct XtIp {
  U128 src = 0, smsk = 0, dst = 0, dmsk = 0;
  std::string iniface;  ///< "eth0", or "veth+" for a prefix
  std::uint16_t proto = 0;
  bool inv_src = false, inv_in = false, inv_proto = false, is_goto = false;
  std::string outiface;  ///< `-o`, as iniface
  bool inv_out = false;
  bool proto_all = false;  ///< IPv6 `-p all`: IP6T_F_PROTO with proto 0, as ip6tables writes it
};

class XtBuilder {
 public:
  explicit XtBuilder(bool ipv6 = false) : ipv6_(ipv6) {}

  /// Appends an entry; returns its offset.
  std::size_t Add(const XtIp& ip, const std::vector<XtExt>& matches, const XtExt& target) {
    const std::size_t offset = bytes_.size();
    const std::size_t header = ipv6_ ? sizeof(ip6t_entry) : sizeof(ipt_entry);
    std::vector<std::byte> body;
    for (const auto& m : matches) {
      AppendExt(m, body);
    }
    const std::size_t target_offset = header + body.size();
    AppendExt(target, body);
    bytes_.resize(offset + header);
    if (ipv6_) {
      ip6t_entry e{};
      FillIp6(ip, e.ipv6);
      e.target_offset = static_cast<std::uint16_t>(target_offset);
      e.next_offset = static_cast<std::uint16_t>(header + body.size());
      e.counters = {7, 700};  // traffic: ZeroXtCounters clears it
      std::memcpy(bytes_.data() + offset, &e, sizeof(e));
    } else {
      ipt_entry e{};
      FillIp4(ip, e.ip);
      e.target_offset = static_cast<std::uint16_t>(target_offset);
      e.next_offset = static_cast<std::uint16_t>(header + body.size());
      e.counters = {7, 700};
      std::memcpy(bytes_.data() + offset, &e, sizeof(e));
    }
    bytes_.insert(bytes_.end(), body.begin(), body.end());
    return offset;
  }

  /// Starts a built-in chain at the next entry.
  void Hook(unsigned hook) { hook_entry_[hook] = bytes_.size(), valid_ |= 1U << hook; }

  /// Ends the built-in chain `hook` with its policy.
  void Policy(unsigned hook, int verdict) { underflow_[hook] = Add({}, {}, Standard(verdict)); }

  /// Starts a user chain; returns the offset a jump to it names.
  std::size_t Chain(const std::string& name) {
    Add({}, {}, ErrorTarget(name));
    return bytes_.size();
  }

  /// Sets the standard verdict of the entry at `offset` (a jump to a chain added later).
  void SetVerdict(std::size_t offset, int verdict) {
    std::uint16_t target_offset = 0;
    const std::size_t field =
        ipv6_ ? offsetof(ip6t_entry, target_offset) : offsetof(ipt_entry, target_offset);
    std::memcpy(&target_offset, bytes_.data() + offset + field, sizeof(target_offset));
    std::memcpy(bytes_.data() + offset + target_offset + sizeof(xt_entry_target), &verdict,
                sizeof(verdict));
  }

  XtTableImage Build(const std::string& name) {
    Add({}, {}, ErrorTarget("ERROR"));
    XtTableImage image{name, ipv6_, valid_, {}, {}, bytes_};
    for (std::size_t h = 0; h < kXtHooks; ++h) {
      image.hook_entry[h] = static_cast<std::uint32_t>(hook_entry_[h]);
      image.underflow[h] = static_cast<std::uint32_t>(underflow_[h]);
    }
    return image;
  }

 private:
  static void AppendExt(const XtExt& ext, std::vector<std::byte>& out) {
    const std::size_t size = XT_ALIGN(sizeof(xt_entry_target) + ext.data.size());
    xt_entry_target header{};
    header.u.user.target_size = static_cast<std::uint16_t>(size);
    std::memcpy(header.u.user.name, ext.name.data(),
                std::min(ext.name.size(), sizeof(header.u.user.name) - 1));
    header.u.user.revision = ext.revision;
    const std::size_t at = out.size();
    out.resize(at + size);
    std::memcpy(out.data() + at, &header, sizeof(header));
    std::memcpy(out.data() + at + sizeof(header), ext.data.data(), ext.data.size());
  }

  static void Interface(const std::string& name, char* iface, unsigned char* mask) {
    const bool prefix = !name.empty() && name.back() == '+';
    const std::size_t length = prefix ? name.size() - 1 : name.size();
    std::memcpy(iface, name.data(), length);
    std::memset(mask, 0xff, name.empty() ? 0 : (prefix ? length : length + 1));
  }

  static void FillIp4(const XtIp& ip, ipt_ip& out) {
    out.src.s_addr = htonl(static_cast<std::uint32_t>(ip.src));
    out.smsk.s_addr = htonl(static_cast<std::uint32_t>(ip.smsk));
    out.dst.s_addr = htonl(static_cast<std::uint32_t>(ip.dst));
    out.dmsk.s_addr = htonl(static_cast<std::uint32_t>(ip.dmsk));
    Interface(ip.iniface, out.iniface, out.iniface_mask);
    Interface(ip.outiface, out.outiface, out.outiface_mask);
    out.proto = ip.proto;
    out.flags = ip.is_goto ? IPT_F_GOTO : 0;
    out.invflags = (ip.inv_src ? IPT_INV_SRCIP : 0) | (ip.inv_in ? IPT_INV_VIA_IN : 0) |
                   (ip.inv_proto ? IPT_INV_PROTO : 0) | (ip.inv_out ? IPT_INV_VIA_OUT : 0);
  }

  static void Put6(U128 value, in6_addr& out) {
    for (int i = 15; i >= 0; --i, value >>= 8) {
      out.s6_addr[i] = static_cast<std::uint8_t>(value & 0xff);
    }
  }

  static void FillIp6(const XtIp& ip, ip6t_ip6& out) {
    Put6(ip.src, out.src), Put6(ip.smsk, out.smsk), Put6(ip.dst, out.dst), Put6(ip.dmsk, out.dmsk);
    Interface(ip.iniface, out.iniface, out.iniface_mask);
    out.proto = ip.proto;
    out.flags = static_cast<std::uint8_t>((ip.proto != 0 || ip.proto_all ? IP6T_F_PROTO : 0) |
                                          (ip.is_goto ? IP6T_F_GOTO : 0));
    out.invflags = (ip.inv_src ? IP6T_INV_SRCIP : 0) | (ip.inv_in ? IP6T_INV_VIA_IN : 0) |
                   (ip.inv_proto ? IP6T_INV_PROTO : 0);
  }

  bool ipv6_;
  std::vector<std::byte> bytes_;
  unsigned valid_ = 0;
  std::size_t hook_entry_[kXtHooks] = {};
  std::size_t underflow_[kXtHooks] = {};
};

/// The tables of `images` parsed into one ruleset, as the legacy reader does; a table that
/// does not parse fails the test and is left out.
inline Ruleset Translate(const std::vector<XtTableImage>& images) {
  Ruleset ruleset;
  for (const auto& image : images) {
    auto table = ParseXtTable(image, ruleset.rule_count);
    EXPECT_TRUE(table) << table.error().message;
    if (table) {
      ruleset.tables.push_back(std::move(*table));
    }
  }
  return ruleset;
}

}  // namespace portwarden::firewall::testing
