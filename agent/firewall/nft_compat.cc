// A rule dump is a stream of NFT_MSG_NEWRULE messages (nfgenmsg, then attributes: table,
// chain, handle, and a nested list of expressions, each a name and nested data) ended by
// NLMSG_DONE. Only "match" and "target" expressions are kept, with their name, revision and
// info blob; everything else in the rule is already in libnftables' JSON.
#include "agent/firewall/nft_compat.h"

#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>

#include "agent/core/netlink_bytes.h"
#include "agent/core/unique_fd.h"

namespace portwarden::firewall {
namespace {

constexpr std::uint16_t kGetRule = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
constexpr std::uint16_t kNewRule = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE;

using Bytes = std::span<const std::byte>;

// Calls `each(type, value)` for every attribute of `attrs`; false on a malformed one.
bool ForEachAttr(Bytes attrs, const std::function<void(int, Bytes)>& each) {
  return ForEachNetlinkAttribute(
      attrs, [&each](std::uint16_t type, Bytes value) { each(type & NLA_TYPE_MASK, value); });
}

std::string Text(Bytes value) {
  const auto* text = reinterpret_cast<const char*>(value.data());
  return {text, ::strnlen(text, value.size())};
}

// One expression (NFTA_EXPR_NAME, NFTA_EXPR_DATA); a compat one only.
std::optional<CompatExpression> ReadExpression(Bytes expr, bool& ok) {
  std::string name;
  Bytes data;
  ok = ForEachAttr(expr, [&](int type, Bytes value) {
    if (type == NFTA_EXPR_NAME) {
      name = Text(value);
    } else if (type == NFTA_EXPR_DATA) {
      data = value;
    }
  });
  if (!ok || (name != "match" && name != "target")) {
    return std::nullopt;
  }
  CompatExpression out;
  out.target = name == "target";
  // NFTA_MATCH_* and NFTA_TARGET_* share their numbers (NAME 1, REV 2, INFO 3).
  ok = ForEachAttr(data, [&](int type, Bytes value) {
    if (type == NFTA_MATCH_NAME) {
      out.name = Text(value);
    } else if (type == NFTA_MATCH_REV && value.size() >= 4) {
      out.revision = static_cast<std::uint8_t>(ntohl(LoadUnaligned<std::uint32_t>(value)));
    } else if (type == NFTA_MATCH_INFO) {
      out.info.assign(value.begin(), value.end());
    }
  });
  return out;
}

Status ReadRule(Bytes payload, CompatExpressions& out) {
  if (payload.size() < NLMSG_ALIGN(sizeof(nfgenmsg))) {
    return Fail("nft rule dump: short nfgenmsg", EINVAL);
  }
  const auto gen = LoadUnaligned<nfgenmsg>(payload);
  CompatRuleKey key{gen.nfgen_family, "", "", 0};
  std::vector<CompatExpression> found;
  bool ok = true;
  const bool attrs_ok =
      ForEachAttr(payload.subspan(NLMSG_ALIGN(sizeof(nfgenmsg))), [&](int type, Bytes value) {
        if (type == NFTA_RULE_TABLE) {
          key.table = Text(value);
        } else if (type == NFTA_RULE_CHAIN) {
          key.chain = Text(value);
        } else if (type == NFTA_RULE_HANDLE && value.size() >= 8) {
          key.handle = be64toh(LoadUnaligned<std::uint64_t>(value));
        } else if (type == NFTA_RULE_EXPRESSIONS) {
          ok = ok && ForEachAttr(value, [&](int elem_type, Bytes elem) {
                 bool expr_ok = true;
                 if (elem_type != NFTA_LIST_ELEM) {
                   return;
                 }
                 if (auto expr = ReadExpression(elem, expr_ok)) {
                   found.push_back(std::move(*expr));
                 }
                 ok = ok && expr_ok;
               });
        }
      });
  if (!attrs_ok || !ok) {
    return Fail("nft rule dump: malformed rule attributes", EINVAL);
  }
  if (found.size() > kMaxCompatExpressions - out.expressions) {
    return Fail(
        "nft rule dump: more than " + std::to_string(kMaxCompatExpressions) + " compat expressions",
        E2BIG);
  }
  const std::uint16_t generation = ntohs(gen.res_id);
  if (out.has_generation && generation != out.generation) {
    return Fail("nft rule dump: replies of two generations", EAGAIN);
  }
  out.generation = generation;
  out.has_generation = true;
  out.expressions += found.size();
  if (!found.empty()) {
    out.rules[std::move(key)] = std::move(found);
  }
  return {};
}

}  // namespace

std::vector<std::byte> BuildRuleDumpRequest(std::uint32_t sequence) {
  struct {
    nlmsghdr header;
    nfgenmsg body;
  } message{};

  message.header.nlmsg_len = sizeof(message);
  message.header.nlmsg_type = kGetRule;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.body.nfgen_family = AF_UNSPEC;
  message.body.version = NFNETLINK_V0;
  return MessageBytes(message);
}

Result<bool> ParseRuleDump(Bytes chunk, std::uint32_t sequence, CompatExpressions& out) {
  while (chunk.size() >= sizeof(nlmsghdr)) {
    const auto header = LoadUnaligned<nlmsghdr>(chunk);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > chunk.size()) {
      return Fail("nft rule dump: truncated netlink message", EINVAL);
    }
    const Bytes payload = chunk.subspan(sizeof(nlmsghdr), header.nlmsg_len - sizeof(nlmsghdr));
    chunk = chunk.subspan(std::min(NetlinkAlign(header.nlmsg_len), chunk.size()));
    if (header.nlmsg_seq != sequence) {
      continue;
    }
    if ((header.nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
      return Fail("nft rule dump: interrupted by a ruleset change", EAGAIN);
    }
    if (header.nlmsg_type == NLMSG_DONE) {
      return true;
    }
    if (header.nlmsg_type == NLMSG_ERROR) {
      const int status = payload.size() >= sizeof(int) ? LoadUnaligned<int>(payload) : -EINVAL;
      return std::unexpected(
          ErrnoError(status < 0 && status > -4096 ? -status : EINVAL, "nft rule dump: request"));
    }
    if (header.nlmsg_type != kNewRule) {
      continue;
    }
    if (auto status = ReadRule(payload, out); !status) {
      return std::unexpected(status.error());
    }
  }
  return false;
}

Result<CompatExpressions> ReadNftCompat() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "socket(NETLINK_NETFILTER)"));
  }
  const timeval timeout{1, 0};  // bounds a kernel that does not answer
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  constexpr std::uint32_t kSequence = 1;
  const auto request = BuildRuleDumpRequest(kSequence);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd.get(), request.data(), request.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    return std::unexpected(ErrnoError(errno, "nft rule dump: send"));
  }
  CompatExpressions out;
  std::vector<std::byte> buffer(64 * 1024);
  for (std::size_t total = 0;;) {
    const ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "nft rule dump: recv"));
    }
    total += static_cast<std::size_t>(n);
    if (total > kMaxCompatDumpBytes) {
      return Fail("nft rule dump larger than " + std::to_string(kMaxCompatDumpBytes >> 20) + " MiB",
                  E2BIG);
    }
    auto done = ParseRuleDump({buffer.data(), static_cast<std::size_t>(n)}, kSequence, out);
    if (!done) {
      return std::unexpected(done.error());
    }
    if (*done) {
      return out;
    }
  }
}

}  // namespace portwarden::firewall
