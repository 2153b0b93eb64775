#include "agent/inventory/proc_net_socket_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "agent/core/log.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/proc_net_parser.h"
#include "agent/inventory/proc_text.h"

namespace portwarden::inventory {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

// Streams one /proc/net table through a fixed buffer, parsing whole rows as they arrive: a
// namespace with thousands of sockets prints hundreds of kilobytes, and reading it whole
// cost fresh heap pages (about 10 us each on a VM) for every namespace read this way.
// Stops early once ProcNetReadComplete() says nothing of interest can follow (`in_use`: the
// namespace's sockstat count, nullopt when unknown: read to the end).
Status ParseStreamed(const std::string& path,
                     Protocol protocol,
                     AddressFamily family,
                     std::optional<long> in_use,
                     std::vector<RawSocket>& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "open " + path));
  }
  thread_local std::unique_ptr<char[]> buffer(new char[kChunk]);
  std::size_t kept = 0;       // bytes of an incomplete row carried to the next read
  std::size_t next_line = 1;  // file line number of buffer[0]
  ProcNetTally tally;
  tally.in_use = in_use.value_or(-1);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.get() + kept, kChunk - kept);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "read " + path));
    }
    const std::string_view data(buffer.get(), kept + static_cast<std::size_t>(n));
    const auto last_newline = data.rfind('\n');
    if (n == 0) {  // the end: a last row without its newline, or a lone header
      return ParseProcNetRows(next_line == 1 ? std::string_view() : data, protocol, family, out,
                              next_line, tally);
    }
    if (last_newline == std::string_view::npos) {
      if (data.size() == kChunk) {
        return Fail(path + ": line " + std::to_string(next_line) + " longer than 64 KiB", EINVAL);
      }
      kept = data.size();
      continue;
    }
    auto rows = data.substr(0, last_newline + 1);
    std::size_t first = next_line;
    if (next_line == 1) {  // the header
      rows.remove_prefix(rows.find('\n') + 1);
      first = 2;
    }
    if (auto status = ParseProcNetRows(rows, protocol, family, out, first, tally); !status) {
      return status;
    }
    if (tally.complete) {
      return {};
    }
    next_line = first + static_cast<std::size_t>(std::count(rows.begin(), rows.end(), '\n'));
    kept = data.size() - (last_newline + 1);
    std::memmove(buffer.get(), data.data() + last_newline + 1, kept);
  }
}

// The namespace's sockstat count of this kind of socket (see SockstatInUse); nullopt when
// unknown. Every read of a /proc/net table walks the host-wide tables (for TCP the whole
// established hash), so a namespace without, say, UDP sockets is not walked for them, and a
// table is read only as far as ProcNetReadComplete() needs.
std::optional<long> InUse(const std::string& net_dir, Protocol protocol, AddressFamily family) {
  const bool v6 = family == AddressFamily::kIpv6;
  const auto text = ReadSmallFile(net_dir + (v6 ? "/sockstat6" : "/sockstat"));
  if (!text) {
    return std::nullopt;
  }
  const std::string name =
      std::string(protocol == Protocol::kTcp ? "TCP" : "UDP") + (v6 ? "6" : "");
  return SockstatInUse(*text, name);
}

}  // namespace

Result<std::vector<RawSocket>> ProcNetSocketSource::Dump(Protocol protocol) {
  std::vector<RawSocket> sockets;
  const std::string base = net_dir_ + (protocol == Protocol::kTcp ? "/tcp" : "/udp");
  for (const auto family : {AddressFamily::kIpv4, AddressFamily::kIpv6}) {
    const auto in_use = InUse(net_dir_, protocol, family);
    if (in_use && *in_use <= 0) {
      continue;
    }
    const std::string path = family == AddressFamily::kIpv4 ? base : base + "6";
    auto parsed = ParseStreamed(path, protocol, family, in_use, sockets);
    // No IPv6 in this kernel is not an error; anything else is.
    if (!parsed && !(family == AddressFamily::kIpv6 && parsed.error().code == ENOENT)) {
      return std::unexpected(Error{path + ": " + parsed.error().message, parsed.error().code});
    }
  }
  return sockets;
}

FallbackSocketSource::FallbackSocketSource(std::unique_ptr<SocketSource> primary,
                                           std::unique_ptr<SocketSource> fallback,
                                           std::string label)
    : primary_(std::move(primary)), fallback_(std::move(fallback)), label_(std::move(label)) {}

std::unique_ptr<FallbackSocketSource> FallbackSocketSource::ProcOnly(
    std::unique_ptr<SocketSource> fallback, std::string label) {
  auto source =
      std::make_unique<FallbackSocketSource>(nullptr, std::move(fallback), std::move(label));
  source->proc_only_ = true;
  return source;
}

Result<std::vector<RawSocket>> FallbackSocketSource::Dump(Protocol protocol) {
  const int index = protocol == Protocol::kTcp ? 0 : 1;
  std::string reason = "netlink socket unavailable";
  if (primary_) {
    auto sockets = primary_->Dump(protocol);
    if (sockets) {
      active_[index] = false;
      return sockets;
    }
    reason = sockets.error().message;
  }
  active_[index] = true;
  bool& logged = logged_[index];
  if (!logged && !proc_only_) {
    logged = true;
    log::Warn("netlink socket dump failed, using /proc/net fallback",
              {{"netns", label_}, {"proto", ProtocolName(protocol)}, {"reason", reason}});
  }
  return fallback_->Dump(protocol);
}

Status FallbackSocketSource::DumpEstablished(std::span<const LocalPortRange> ports,
                                             const SocketBatchSink& sink) {
  if (!primary_ || active_[0]) {
    return SocketSource::DumpEstablished(ports, sink);
  }
  return primary_->DumpEstablished(ports, sink);
}

}  // namespace portwarden::inventory
