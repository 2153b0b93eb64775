#include "agent/inventory/proc_net_socket_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "agent/core/log.h"
#include "agent/inventory/proc_net_parser.h"
#include "agent/inventory/proc_text.h"
#include "agent/inventory/unique_fd.h"

namespace portwarden::inventory {

Result<std::vector<RawSocket>> ProcNetSocketSource::Dump(Protocol protocol) {
  std::vector<RawSocket> sockets;
  const std::string base = net_dir_ + (protocol == Protocol::kTcp ? "/tcp" : "/udp");
  for (const auto family : {AddressFamily::kIpv4, AddressFamily::kIpv6}) {
    const std::string path = family == AddressFamily::kIpv4 ? base : base + "6";
    auto text = ReadWholeFile(path, 256 * 1024);
    if (!text) {
      // No IPv6 in this kernel is not an error; anything else is.
      if (family == AddressFamily::kIpv6 && text.error().code == ENOENT) {
        continue;
      }
      return std::unexpected(text.error());
    }
    auto parsed = ParseProcNet(*text, protocol, family, sockets);
    if (!parsed) {
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

}  // namespace portwarden::inventory
