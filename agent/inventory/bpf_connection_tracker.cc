#include "agent/inventory/bpf_connection_tracker.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "agent/inventory/bpf_syscall.h"
#include "agent/inventory/btf_index.h"
#include "agent/inventory/connection_programs.h"
#include "agent/inventory/netns_enter.h"

namespace portwarden::inventory {
namespace {

constexpr std::uint32_t kMaxWatched = 65536;    // (namespace, port) pairs
constexpr std::uint32_t kMaxCountKeys = 65536;  // listener addresses × peer scopes
constexpr std::uint32_t kMaxPeerPrefixes = 4096;

Result<BpfConnectionTracker::Maps> CreateMaps(std::size_t max_sockets) {
  using bpf::CreateMap;
  const std::uint32_t sockets =
      static_cast<std::uint32_t>(std::min<std::size_t>(max_sockets, 1U << 26));
  auto watched = CreateMap(
      {BPF_MAP_TYPE_HASH, sizeof(WatchedKey), 4, kMaxWatched, BPF_F_NO_PREALLOC, "pw_watched"});
  auto tracked =
      CreateMap({BPF_MAP_TYPE_HASH, 8, sizeof(CountKey), sockets, BPF_F_NO_PREALLOC, "pw_sockets"});
  auto counts = CreateMap(
      {BPF_MAP_TYPE_HASH, sizeof(CountKey), 8, kMaxCountKeys, BPF_F_NO_PREALLOC, "pw_counts"});
  auto scopes = CreateMap({BPF_MAP_TYPE_LPM_TRIE, sizeof(PeerScopeKey), 4, kMaxPeerPrefixes,
                           BPF_F_NO_PREALLOC, "pw_peer_scopes"});
  auto overflow = CreateMap({BPF_MAP_TYPE_ARRAY, 4, 8, kOverflowSlots, 0, "pw_overflow"});
  for (const auto* map : {&watched, &tracked, &counts, &scopes, &overflow}) {
    if (!*map) {
      return std::unexpected(map->error());
    }
  }
  return BpfConnectionTracker::Maps{std::move(*watched), std::move(*tracked), std::move(*counts),
                                    std::move(*scopes), std::move(*overflow)};
}

Status FillPeerScopes(const UniqueFd& map, std::span<const config::ZoneOverride> zones) {
  const auto table = PeerScopeTable(zones);
  if (table.size() > kMaxPeerPrefixes) {
    return Fail("more than 4096 peer prefixes (zones)");
  }
  for (const auto& entry : table) {
    const std::uint32_t scope = static_cast<std::uint32_t>(entry.scope);
    if (auto status = bpf::Update(map, &entry.key, &scope, BPF_ANY); !status) {
      return status;
    }
  }
  return {};
}

Result<UniqueFd> AttachRawTracepoint(const UniqueFd& program) {
  bpf_attr attr{};
  attr.raw_tracepoint.prog_fd = static_cast<std::uint32_t>(program.get());
  UniqueFd link(static_cast<int>(bpf::Syscall(BPF_RAW_TRACEPOINT_OPEN, attr)));
  if (!link.valid()) {
    return std::unexpected(ErrnoError(errno, "attaching to the inet_sock_set_state tracepoint"));
  }
  return link;
}

Result<UniqueFd> AttachIterator(const UniqueFd& program) {
  bpf_attr attr{};
  attr.link_create.prog_fd = static_cast<std::uint32_t>(program.get());
  attr.link_create.attach_type = BPF_TRACE_ITER;
  UniqueFd link(static_cast<int>(bpf::Syscall(BPF_LINK_CREATE, attr)));
  if (!link.valid()) {
    return std::unexpected(ErrnoError(errno, "attaching the BPF tcp iterator"));
  }
  return link;
}

}  // namespace

/// Order matters for exactness: the tracepoint program is attached before any namespace is
/// seeded, so a socket that becomes established while the seeding iterator runs is seen by
/// at least one of the two, and the NOEXIST insert makes it count once.
Result<std::unique_ptr<BpfConnectionTracker>> BpfConnectionTracker::Create(
    std::size_t max_sockets,
    std::span<const config::ZoneOverride> zones,
    const std::string& btf_path) {
  if (auto allowed = bpf::CheckTracingCapabilities("counting connections in the kernel");
      !allowed) {
    return std::unexpected(allowed.error());
  }
  auto btf = BtfIndex::Load(btf_path);
  if (!btf) {
    return std::unexpected(btf.error());
  }
  const auto layout = ReadSockLayout(*btf);
  if (!layout) {
    return std::unexpected(layout.error());
  }
  auto maps = CreateMaps(max_sockets);
  if (!maps) {
    return std::unexpected(maps.error());
  }
  if (auto filled = FillPeerScopes(maps->peer_scopes, zones); !filled) {
    return std::unexpected(filled.error());
  }
  const TrackerMaps fds{maps->watched.get(), maps->sockets.get(), maps->counts.get(),
                        maps->peer_scopes.get(), maps->overflow.get()};
  auto seed = bpf::LoadTracing(SeedIteratorProgram(*layout, fds), BPF_TRACE_ITER,
                               layout->iter_tcp_btf_id, "the BPF tcp iterator");
  if (!seed) {
    return std::unexpected(seed.error());
  }
  auto seed_link = AttachIterator(*seed);
  if (!seed_link) {
    return std::unexpected(seed_link.error());
  }
  auto state = bpf::LoadTracing(StateChangeProgram(*layout, fds), BPF_TRACE_RAW_TP,
                                layout->set_state_btf_id, "the inet_sock_set_state program");
  if (!state) {
    return std::unexpected(state.error());
  }
  auto state_link = AttachRawTracepoint(*state);
  if (!state_link) {
    return std::unexpected(state_link.error());
  }
  return std::unique_ptr<BpfConnectionTracker>(
      new BpfConnectionTracker(std::move(*maps), std::move(*seed), std::move(*seed_link),
                               std::move(*state), std::move(*state_link)));
}

Status BpfConnectionTracker::SetWatched(std::uint32_t netns, std::uint16_t port, bool watched) {
  const WatchedKey key{netns, port, 0};
  const std::uint32_t one = 1;
  return watched ? bpf::Update(maps_.watched, &key, &one, BPF_ANY)
                 : bpf::Delete(maps_.watched, &key);
}

// Runs the tcp iterator inside the namespace (it visits the sockets of the namespace its fd
// was created in); in the thread's own namespace without setns.
Status BpfConnectionTracker::Seed(std::uint64_t netns_inode, const std::string& netns_path) {
  struct stat own {};

  if (::stat("/proc/thread-self/ns/net", &own) == 0 && own.st_ino == netns_inode) {
    return RunSeedIterator();
  }
  return InNamespaceAt(netns_path, [&] { return RunSeedIterator(); });
}

Status BpfConnectionTracker::RunSeedIterator() {
  bpf_attr attr{};
  attr.iter_create.link_fd = static_cast<std::uint32_t>(seed_link_.get());
  const UniqueFd iterator(static_cast<int>(bpf::Syscall(BPF_ITER_CREATE, attr)));
  if (!iterator.valid()) {
    return std::unexpected(ErrnoError(errno, "starting the BPF tcp iterator"));
  }
  std::array<char, 256> sink{};  // the program writes nothing: read() runs it to the end
  // bpf_seq_read answers EAGAIN after each batch of objects that wrote nothing: read on,
  // bounded (a batch is a few hundred sockets, so this is far beyond any real namespace).
  constexpr int kMaxEmptyBatches = 1 << 20;
  int empty_batches = 0;
  for (;;) {
    const ssize_t got = ::read(iterator.get(), sink.data(), sink.size());
    if (got == 0) {
      break;
    }
    if (got < 0 && errno == EAGAIN && ++empty_batches < kMaxEmptyBatches) {
      continue;
    }
    if (got < 0 && errno != EINTR) {
      return std::unexpected(ErrnoError(errno, "reading the BPF tcp iterator"));
    }
  }
  ++seeds_;
  return {};
}

Status BpfConnectionTracker::Watch(std::uint64_t netns_inode,
                                   const std::string& netns_path,
                                   const std::set<std::uint16_t>& ports) {
  const auto netns = static_cast<std::uint32_t>(netns_inode);
  auto& current = watched_[netns_inode];
  bool added = false;
  Status status;
  for (const std::uint16_t port : current) {
    if (!ports.contains(port) && status) {
      status = SetWatched(netns, port, false);
    }
  }
  for (const std::uint16_t port : ports) {
    if (!current.contains(port) && status) {
      status = SetWatched(netns, port, true);
      added = true;
    }
  }
  if (status && added) {
    status = Seed(netns_inode, netns_path);
  }
  if (!status) {
    for (const std::uint16_t port : ports) {
      (void)SetWatched(netns, port, false);
    }
    watched_.erase(netns_inode);
    return status;
  }
  current = ports;
  return {};
}

void BpfConnectionTracker::Retain(const std::set<std::uint64_t>& alive) {
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (alive.contains(it->first)) {
      ++it;
      continue;
    }
    for (const std::uint16_t port : it->second) {
      (void)SetWatched(static_cast<std::uint32_t>(it->first), port, false);
    }
    it = watched_.erase(it);
  }
  std::set<Pair> pairs;
  for (const auto& [netns, ports] : watched_) {
    for (const std::uint16_t port : ports) {
      pairs.emplace(static_cast<std::uint32_t>(netns), port);
    }
  }
  CollectZeroCounts(pairs);
  watched_at_last_retain_ = std::move(pairs);
}

// A zero count of a pair unwatched both now and at the previous Retain() (a scan apart, far
// longer than a program run that passed the watched check before the unwatch) can no longer
// be added to: deleting it loses nothing. Zero counts of watched pairs stay (a program may
// hold the value between its lookup and its atomic add).
void BpfConnectionTracker::CollectZeroCounts(const std::set<Pair>& watched) {
  std::vector<CountKey> dead;
  CountKey key{};
  const CountKey* previous = nullptr;
  for (std::size_t guard = 0; guard <= kMaxCountKeys; ++guard) {
    CountKey next{};
    if (!bpf::NextKey(maps_.counts, previous, &next)) {
      break;
    }
    std::int64_t value = -1;
    const Pair pair{next.netns, next.port};
    if (bpf::Lookup(maps_.counts, &next, &value) && value == 0 && !watched.contains(pair) &&
        !watched_at_last_retain_.contains(pair)) {
      dead.push_back(next);
    }
    key = next;
    previous = &key;
  }
  for (const CountKey& gone : dead) {
    (void)bpf::Delete(maps_.counts, &gone);
  }
}

Result<std::vector<std::pair<CountKey, std::int64_t>>> BpfConnectionTracker::Read() const {
  std::vector<std::pair<CountKey, std::int64_t>> counts;
  CountKey key{};
  const CountKey* previous = nullptr;
  for (std::size_t guard = 0; guard <= kMaxCountKeys; ++guard) {
    CountKey next{};
    if (!bpf::NextKey(maps_.counts, previous, &next)) {
      if (errno != ENOENT) {
        return std::unexpected(ErrnoError(errno, "reading the BPF connection counts"));
      }
      return counts;
    }
    std::int64_t value = 0;
    if (bpf::Lookup(maps_.counts, &next, &value)) {
      counts.emplace_back(next, value);
    }
    key = next;
    previous = &key;
  }
  return Fail("the BPF connection counts did not end");
}

std::uint64_t BpfConnectionTracker::overflows() const {
  return sockets_full() + counts_full();
}

std::uint64_t BpfConnectionTracker::sockets_full() const {
  const std::uint32_t index = kOverflowSockets;
  std::uint64_t value = 0;
  return bpf::Lookup(maps_.overflow, &index, &value) ? value : 0;
}

std::uint64_t BpfConnectionTracker::counts_full() const {
  const std::uint32_t index = kOverflowCounts;
  std::uint64_t value = 0;
  return bpf::Lookup(maps_.overflow, &index, &value) ? value : 0;
}

}  // namespace portwarden::inventory
