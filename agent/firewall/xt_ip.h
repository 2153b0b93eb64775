#pragma once

// <netinet/in.h> (through arpa/inet.h) before the kernel headers, which defer to it.
#include <arpa/inet.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <vector>

#include "agent/firewall/ruleset.h"
#include "agent/firewall/xt_extensions.h"

/// The ip part of x_tables entries: what the kernel's ip_packet_match / ip6_packet_match check
/// before any match, as statements. Internal to xt_image.cc.
namespace portwarden::firewall {

/// The ip part of an entry (struct ipt_ip / ip6t_ip6), either family, IPv4 addresses in the
/// low 32 bits.
struct XtIpPart {
  U128 src = 0, smsk = 0, dst = 0, dmsk = 0;
  char iniface[IFNAMSIZ] = {};
  unsigned char iniface_mask[IFNAMSIZ] = {};
  char outiface[IFNAMSIZ] = {};
  unsigned char outiface_mask[IFNAMSIZ] = {};
  XtProtocol protocol;
  bool never = false;  ///< a fragment-only rule: no first packet matches
  bool jump_is_goto = false;
  bool inv_src = false, inv_dst = false, inv_in = false, inv_out = false;
};

XtIpPart ReadXtIp4(const ipt_ip& ip);
XtIpPart ReadXtIp6(const ip6t_ip6& ip);

/// Appends the statements of the ip part: source and destination (prefix masks; any other
/// mask is Unmodelled), `-i` and `-o` (`+` becomes the evaluator's `*` wildcard),
/// the protocol; a fragment-only rule never matches.
void AppendXtIpPart(const XtIpPart& ip, std::vector<Statement>& out);

}  // namespace portwarden::firewall
