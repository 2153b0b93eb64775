#pragma once

#include <memory>

#include "agent/core/unique_fd.h"
#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// Dumps listeners through NETLINK_SOCK_DIAG with the kernel's state filter (TCP LISTEN,
/// UDP CLOSE), so the kernel walks only the listener tables: TCP in one dump of both
/// families (the TCPDIAG_GETSOCK compat request; per family if the kernel refuses it), UDP
/// per family (it has no compat request). The socket is bound to the
/// network namespace it was created in; create it inside a namespace (see NetnsRegistry) to
/// dump that namespace. Owns the socket. Not thread-safe.
class NetlinkSocketSource : public SocketSource {
 public:
  /// Creates the diag socket in the calling thread's current network namespace.
  static Result<std::unique_ptr<NetlinkSocketSource>> Open();

  Result<std::vector<RawSocket>> Dump(Protocol protocol) override;

  /// One dump of both families' ESTABLISHED TCP sockets with the local-port bytecode filter
  /// (inet_diag_filter.h): the kernel walks its established hash once and skips, in the
  /// kernel, every socket on another port.
  Status DumpEstablished(std::span<const LocalPortRange> ports,
                         const SocketBatchSink& sink) override;

  const char* Mechanism() const override { return "netlink"; }

 private:
  explicit NetlinkSocketSource(UniqueFd fd) : fd_(std::move(fd)) {}

  Result<bool> DumpFamily(int family, Protocol protocol, std::vector<RawSocket>& out);
  /// Sends `request`, then parses replies into `out` until NLMSG_DONE; with a `sink`, each
  /// batch goes to it and `out` is cleared again.
  Result<bool> Exchange(std::span<const std::byte> request,
                        Protocol protocol,
                        std::vector<RawSocket>& out,
                        const SocketBatchSink* sink);
  void Drain();

  UniqueFd fd_;
  std::uint32_t sequence_ = 1;
  bool tcp_compat_ = true;  // TCP listeners through TCPDIAG_GETSOCK, both families at once
};

}  // namespace portwarden::inventory
