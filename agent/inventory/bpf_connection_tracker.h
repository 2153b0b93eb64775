#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "agent/config/exposure_config.h"
#include "agent/core/error.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/connection_keys.h"

namespace portwarden::inventory {

/// Counts established TCP connections on watched (namespace, local port) pairs in the
/// kernel, as they change state, so that reading them costs O(counted keys), not a walk of
/// the established hash: a `tp_btf/inet_sock_set_state` program keeps a per-socket map and a
/// per-(namespace, family, port, local address, peer scope) count; an `iter/tcp` program run
/// inside a namespace seeds the sockets established before a pair was watched. Programs and
/// maps are assembled here (no libbpf), field offsets from the kernel's BTF.
///
/// Needs what BpfFdWalker needs (Linux 5.11+ with BTF, CAP_BPF and CAP_PERFMON or
/// CAP_SYS_ADMIN) and CAP_SYS_ADMIN to enter other namespaces for seeding; Create() says why
/// when anything is missing. Every map is bounded; a refused insert bumps overflows(), after
/// which the counts are no longer exact. Owns every fd (maps, programs, the attachment);
/// destroying it detaches the program. Not thread-safe.
class BpfConnectionTracker {
 public:
  /// At most `max_sockets` tracked sockets; peers classified as AddressScope(peer, "", zones).
  static Result<std::unique_ptr<BpfConnectionTracker>> Create(
      std::size_t max_sockets,
      std::span<const config::ZoneOverride> zones,
      const std::string& btf_path = "/sys/kernel/btf/vmlinux");

  /// Makes `ports` the watched ports of namespace `netns_inode`, entered through
  /// `netns_path` to seed the pairs not watched before (nothing is entered when none is
  /// new, nor when it is the calling thread's own namespace: setns needs CAP_SYS_ADMIN even
  /// there). A failure leaves the namespace's counts unknown (its pairs are unwatched again).
  Status Watch(std::uint64_t netns_inode,
               const std::string& netns_path,
               const std::set<std::uint16_t>& ports);

  /// Unwatches every namespace not in `alive` (it went away), then deletes the zero counts
  /// of the (namespace, port) pairs unwatched since the previous Retain() (gone namespaces
  /// and ports no longer watched), which no program can add to any more.
  void Retain(const std::set<std::uint64_t>& alive);

  /// Every count (CountKey → established sockets), zero counts included.
  Result<std::vector<std::pair<CountKey, std::int64_t>>> Read() const;

  /// Inserts the programs refused for lack of space since Create(): sockets_full() +
  /// counts_full().
  std::uint64_t overflows() const;

  /// Sockets not counted because the sockets map (`max_sockets`) was full.
  std::uint64_t sockets_full() const;

  /// Sockets not counted because the counts map (65,536 keys) was full.
  std::uint64_t counts_full() const;

  /// Sockets the seeding iterator has been run over, in total (for tests and logs).
  int seeds() const { return seeds_; }

  /// The maps, owned together (see TrackerMaps for what each holds).
  struct Maps {
    UniqueFd watched, sockets, counts, peer_scopes, overflow;
  };

 private:
  BpfConnectionTracker(Maps maps,
                       UniqueFd seed_program,
                       UniqueFd seed_link,
                       UniqueFd state_program,
                       UniqueFd state_link)
      : maps_(std::move(maps)),
        seed_program_(std::move(seed_program)),
        seed_link_(std::move(seed_link)),
        state_program_(std::move(state_program)),
        state_link_(std::move(state_link)) {}

  Status Seed(std::uint64_t netns_inode, const std::string& netns_path);
  Status RunSeedIterator();
  Status SetWatched(std::uint32_t netns, std::uint16_t port, bool watched);
  using Pair = std::pair<std::uint32_t, std::uint16_t>;  // (namespace, port)
  void CollectZeroCounts(const std::set<Pair>& watched);

  Maps maps_;
  UniqueFd seed_program_;
  UniqueFd seed_link_;
  UniqueFd state_program_;
  UniqueFd state_link_;  // detaching it (first, by member order reversed) stops the counting
  std::map<std::uint64_t, std::set<std::uint16_t>> watched_;
  std::set<Pair> watched_at_last_retain_;
  int seeds_ = 0;
};

}  // namespace portwarden::inventory
