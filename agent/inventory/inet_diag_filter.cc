#include "agent/inventory/inet_diag_filter.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>

#include <algorithm>
#include <cstring>

namespace portwarden::inventory {
namespace {

constexpr std::size_t kOp = sizeof(inet_diag_bc_op);  // 4 bytes
constexpr std::uint32_t kTcpfEstablished = 1U << 1;   // TCP_ESTABLISHED

void Emit(std::vector<std::byte>& out, std::uint8_t code, std::uint8_t yes, std::uint16_t no) {
  const inet_diag_bc_op op{code, yes, no};
  const auto* bytes = reinterpret_cast<const std::byte*>(&op);
  out.insert(out.end(), bytes, bytes + kOp);
}

// A comparison: the test op, then the operand op whose `no` holds the port.
void EmitCompare(std::vector<std::byte>& out,
                 std::uint8_t code,
                 std::uint16_t port,
                 std::size_t reject_offset) {
  const std::size_t here = out.size();
  Emit(out, code, 2 * kOp, static_cast<std::uint16_t>(reject_offset - here));
  Emit(out, 0, 0, port);
}

inet_diag_bc_op OpAt(std::span<const std::byte> code, std::size_t offset) {
  inet_diag_bc_op op;
  std::memcpy(&op, code.data() + offset, kOp);
  return op;
}

bool IsCompare(std::uint8_t code) {
  return code == INET_DIAG_BC_S_GE || code == INET_DIAG_BC_S_LE || code == INET_DIAG_BC_S_EQ;
}

// inet_diag_bc_audit(): from the start, along the `yes` chain, every op must be known, its
// jumps multiples of 4 within len + 4, and every `no` target inside the program must be an op
// the `yes` chain reaches (valid_cc()).
bool Audit(std::span<const std::byte> code) {
  std::vector<std::size_t> on_chain;
  for (std::size_t at = 0; at < code.size();) {
    on_chain.push_back(at);
    const std::size_t left = code.size() - at;
    if (left < kOp) {
      return false;
    }
    const auto op = OpAt(code, at);
    std::size_t min_len = kOp;
    if (IsCompare(op.code)) {
      min_len = 2 * kOp;
      if (left < min_len) {
        return false;
      }
    } else if (op.code != INET_DIAG_BC_JMP && op.code != INET_DIAG_BC_NOP) {
      return false;
    }
    if (op.code != INET_DIAG_BC_NOP && (op.no < min_len || op.no > left + 4 || (op.no & 3) != 0)) {
      return false;
    }
    if (op.yes < min_len || op.yes > left + 4 || (op.yes & 3) != 0) {
      return false;
    }
    at += op.yes;
  }
  // Second pass: `no` targets inside the program must be on the yes chain.
  for (const std::size_t at : on_chain) {
    const auto op = OpAt(code, at);
    const std::size_t target = at + op.no;
    if (op.code != INET_DIAG_BC_NOP && target < code.size() &&
        std::find(on_chain.begin(), on_chain.end(), target) == on_chain.end()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<LocalPortRange> NormalizePortRanges(std::span<const LocalPortRange> ranges) {
  std::vector<LocalPortRange> sorted;
  for (const auto& range : ranges) {
    if (range.first <= range.last) {
      sorted.push_back(range);
    }
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<LocalPortRange> merged;
  for (const auto& range : sorted) {
    if (!merged.empty() && range.first <= static_cast<unsigned>(merged.back().last) + 1) {
      merged.back().last = std::max(merged.back().last, range.last);
    } else {
      merged.push_back(range);
    }
  }
  if (merged.size() > kMaxFilterRanges) {
    merged = {{merged.front().first, merged.back().last}};
  }
  return merged;
}

std::vector<std::byte> BuildLocalPortFilter(std::span<const LocalPortRange> ranges) {
  std::vector<std::byte> out;
  const auto alternative_size = [](const LocalPortRange& r) {
    return r.first == r.last ? 2 * kOp : 4 * kOp;
  };
  std::size_t total = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    total += alternative_size(ranges[i]) + (i + 1 < ranges.size() ? kOp : 0);
  }
  out.reserve(total);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& range = ranges[i];
    const bool last = i + 1 == ranges.size();
    // A failing test goes to the op after this alternative's JMP: the next alternative,
    // or 4 past the end (reject) for the last.
    const std::size_t reject = out.size() + alternative_size(range) + kOp;
    if (range.first == range.last) {
      EmitCompare(out, INET_DIAG_BC_S_EQ, range.first, reject);
    } else {
      EmitCompare(out, INET_DIAG_BC_S_GE, range.first, reject);
      EmitCompare(out, INET_DIAG_BC_S_LE, range.last, reject);
    }
    if (!last) {
      Emit(out, INET_DIAG_BC_JMP, kOp, static_cast<std::uint16_t>(total - out.size()));
    }
  }
  return out;
}

std::optional<bool> RunLocalPortFilter(std::span<const std::byte> bytecode, std::uint16_t port) {
  if (!Audit(bytecode)) {
    return std::nullopt;
  }
  long len = static_cast<long>(bytecode.size());
  std::size_t at = 0;
  while (len > 0) {
    const auto op = OpAt(bytecode, at);
    bool yes = true;
    const std::uint16_t operand = IsCompare(op.code) ? OpAt(bytecode, at + kOp).no : 0;
    switch (op.code) {
      case INET_DIAG_BC_JMP:
        yes = false;
        break;
      case INET_DIAG_BC_S_EQ:
        yes = port == operand;
        break;
      case INET_DIAG_BC_S_GE:
        yes = port >= operand;
        break;
      case INET_DIAG_BC_S_LE:
        yes = port <= operand;
        break;
      default:
        break;
    }
    const std::size_t step = yes ? op.yes : op.no;
    len -= static_cast<long>(step);
    at += step;
  }
  return len == 0;
}

std::vector<std::byte> BuildEstablishedRequest(std::span<const std::byte> bytecode,
                                               std::uint32_t sequence) {
  const std::size_t attr_len = NLA_HDRLEN + bytecode.size();
  const std::size_t total = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_req)) + NLA_ALIGN(attr_len);
  std::vector<std::byte> bytes(total);
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(total);
  header.nlmsg_type = TCPDIAG_GETSOCK;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = sequence;
  inet_diag_req request{};
  request.idiag_family = 0;  // ignored by the compat path, which dumps both families
  request.idiag_states = kTcpfEstablished;
  nlattr attr{};
  attr.nla_len = static_cast<std::uint16_t>(attr_len);
  attr.nla_type = INET_DIAG_REQ_BYTECODE;
  std::byte* at = bytes.data();
  std::memcpy(at, &header, sizeof(header));
  at += NLMSG_HDRLEN;
  std::memcpy(at, &request, sizeof(request));
  at += NLMSG_ALIGN(sizeof(inet_diag_req));
  std::memcpy(at, &attr, sizeof(attr));
  if (!bytecode.empty()) {
    std::memcpy(at + NLA_HDRLEN, bytecode.data(), bytecode.size());
  }
  return bytes;
}

}  // namespace portwarden::inventory
