#include "agent/firewall/xt_reader.h"

#include <arpa/inet.h>  // <netinet/in.h> before the kernel headers, which defer to it
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "agent/core/unique_fd.h"

namespace portwarden::firewall {
namespace {

constexpr int kAttempts = 4;  // GET_ENTRIES says EAGAIN when the table changed since GET_INFO
constexpr std::size_t kMaxTables = 16;

std::vector<std::string> TableNames(bool ipv6) {
  std::ifstream names(ipv6 ? "/proc/thread-self/net/ip6_tables_names"
                           : "/proc/thread-self/net/ip_tables_names");
  std::vector<std::string> out;
  for (std::string line; out.size() < kMaxTables && std::getline(names, line);) {
    if (!line.empty() && line.size() < XT_TABLE_MAXNAMELEN) {
      out.push_back(line);
    }
  }
  return out;
}

std::unexpected<Error> SockoptError(const std::string& what, const std::string& table) {
  const int code = errno;
  std::string message = "legacy iptables " + table + ": " + what + ": " + std::strerror(code);
  if (code == EPERM || code == EACCES) {
    message += " (reading the ruleset needs CAP_NET_ADMIN)";
  }
  return Fail(message, code);
}

// Info and Entries are ipt_getinfo / ipt_get_entries or their ip6t_ twins (same layouts).
template <typename Info, typename Entries>
Result<XtTableImage> ReadTable(int fd,
                               int level,
                               int get_info,
                               int get_entries,
                               const std::string& name,
                               bool ipv6,
                               std::size_t& budget) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Info info{};
    std::memcpy(info.name, name.data(), name.size());
    socklen_t length = sizeof(info);
    if (::getsockopt(fd, level, get_info, &info, &length) != 0) {
      return SockoptError("get info", name);
    }
    if (info.size > kMaxXtTableBytes) {
      return Fail("legacy iptables " + name + ": table larger than " +
                  std::to_string(kMaxXtTableBytes >> 20) + " MiB");
    }
    std::size_t left = budget;  // taken only once the table is read (a retry reads it anew)
    if (auto taken = TakeXtBudget(info.size, left, name); !taken) {
      return std::unexpected(taken.error());
    }
    std::vector<std::byte> buffer(sizeof(Entries) + info.size);
    Entries head{};
    std::memcpy(head.name, name.data(), name.size());
    head.size = info.size;
    std::memcpy(buffer.data(), &head, sizeof(head));
    length = static_cast<socklen_t>(buffer.size());
    if (::getsockopt(fd, level, get_entries, buffer.data(), &length) != 0) {
      if (errno == EAGAIN) {
        continue;
      }
      return SockoptError("get entries", name);
    }
    budget = left;
    XtTableImage image{name, ipv6, info.valid_hooks, {}, {}, {}};
    std::memcpy(image.hook_entry.data(), info.hook_entry, sizeof(info.hook_entry));
    std::memcpy(image.underflow.data(), info.underflow, sizeof(info.underflow));
    image.entries.assign(buffer.begin() + sizeof(Entries), buffer.end());
    ZeroXtCounters(image.entries, ipv6);
    return image;
  }
  return Fail("legacy iptables " + name + ": the table kept changing while read");
}

}  // namespace

Status TakeXtBudget(std::size_t size, std::size_t& budget, const std::string& table) {
  if (size > budget) {
    return Fail("legacy iptables " + table + ": the namespace's legacy tables exceed " +
                    std::to_string(kMaxXtNamespaceBytes >> 20) + " MiB in all (both families)",
                kXtBudgetCode);
  }
  budget -= size;
  return {};
}

Result<std::vector<XtTableImage>> ReadXtTables(bool ipv6, std::size_t& budget) {
  const auto names = TableNames(ipv6);
  std::vector<XtTableImage> out;
  if (names.empty()) {
    return out;
  }
  // Any inet socket reaches netfilter's getsockopt; UDP needs no CAP_NET_RAW (iptables uses RAW).
  const UniqueFd fd(::socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return SockoptError("socket", ipv6 ? "ipv6" : "ipv4");
  }
  for (const auto& name : names) {
    auto image =
        ipv6 ? ReadTable<ip6t_getinfo, ip6t_get_entries>(fd.get(), IPPROTO_IPV6, IP6T_SO_GET_INFO,
                                                         IP6T_SO_GET_ENTRIES, name, true, budget)
             : ReadTable<ipt_getinfo, ipt_get_entries>(fd.get(), IPPROTO_IP, IPT_SO_GET_INFO,
                                                       IPT_SO_GET_ENTRIES, name, false, budget);
    if (!image) {
      return std::unexpected(image.error());
    }
    out.push_back(std::move(*image));
  }
  return out;
}

}  // namespace portwarden::firewall
