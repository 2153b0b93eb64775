#pragma once

#include <memory>
#include <string>

#include "agent/inventory/socket_source.h"

namespace portwarden::inventory {

/// Reads listeners from the text files under a /proc net directory (`/proc/<pid>/net`, or
/// `/proc/thread-self/net` for the caller's namespace). Slower than netlink (the kernel walks
/// every socket and formats each row) and without V6ONLY or the bound device, so it is only
/// the fallback. Not thread-safe.
class ProcNetSocketSource : public SocketSource {
 public:
  /// `net_dir` is the directory holding tcp, tcp6, udp and udp6.
  explicit ProcNetSocketSource(std::string net_dir) : net_dir_(std::move(net_dir)) {}

  Result<std::vector<RawSocket>> Dump(Protocol protocol) override;

  const char* Mechanism() const override { return "proc"; }

 private:
  std::string net_dir_;
};

/// Netlink first; for any protocol whose netlink dump fails (for instance udp_diag missing,
/// EINVAL/ENOENT), the /proc source answers instead. The first switch per protocol is logged
/// once; `fallback_active()` reports it for metrics. Owns both sources. Not thread-safe.
class FallbackSocketSource : public SocketSource {
 public:
  /// `primary` may be null (netlink unavailable); `fallback` must not be.
  FallbackSocketSource(std::unique_ptr<SocketSource> primary,
                       std::unique_ptr<SocketSource> fallback,
                       std::string label);

  /// A source that reads /proc only, by design (a namespace that cannot be entered): no
  /// netlink attempt and no fallback warning.
  static std::unique_ptr<FallbackSocketSource> ProcOnly(std::unique_ptr<SocketSource> fallback,
                                                        std::string label);

  Result<std::vector<RawSocket>> Dump(Protocol protocol) override;

  /// Through netlink only: the /proc text has no in-kernel filter, so a namespace read
  /// through /proc (or whose TCP netlink dump failed) has unknown connections (ENOTSUP).
  Status DumpEstablished(std::span<const LocalPortRange> ports,
                         const SocketBatchSink& sink) override;

  const char* Mechanism() const override { return fallback_active() ? "proc" : "netlink"; }

  /// Swaps the fallback, e.g. when the process it read through has exited.
  void ReplaceFallback(std::unique_ptr<SocketSource> fallback) { fallback_ = std::move(fallback); }

  /// True when the last Dump() of either protocol was served by the fallback.
  bool fallback_active() const { return active_[0] || active_[1]; }

 private:
  std::unique_ptr<SocketSource> primary_;
  std::unique_ptr<SocketSource> fallback_;
  std::string label_;
  bool active_[2] = {false, false};
  bool logged_[2] = {false, false};
  bool proc_only_ = false;
};

}  // namespace portwarden::inventory
