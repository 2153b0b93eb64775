#include "agent/inventory/netns_registry.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "agent/core/log.h"
#include "agent/inventory/netlink_socket_source.h"

namespace portwarden::inventory {
namespace {

constexpr const char* kSelfNetns = "/proc/self/ns/net";

std::uint64_t NetnsInode(const std::string& path) {
  struct stat st {};

  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool IsPid(const char* name) {
  if (*name == '\0') {
    return false;
  }
  for (; *name != '\0'; ++name) {
    if (*name < '0' || *name > '9') {
      return false;
    }
  }
  return true;
}

// Runs `fn` with the calling thread inside the namespace at `fd`, then returns it home.
// Failing to return home would leave the agent in a foreign namespace: that cannot happen
// with a valid handle to our own namespace, so it aborts.
Status InNamespace(int fd, const std::function<Status()>& fn) {
  UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home.valid()) {
    return std::unexpected(ErrnoError(errno, "open own netns"));
  }
  if (::setns(fd, CLONE_NEWNET) != 0) {
    return std::unexpected(ErrnoError(errno, "setns"));
  }
  Status status = fn();
  if (::setns(home.get(), CLONE_NEWNET) != 0) {
    log::Error("cannot return to the agent's network namespace", {{"errno", errno}});
    std::abort();
  }
  return status;
}

}  // namespace

NetnsRegistry::NetnsRegistry(std::string proc_path, std::string run_netns_dir, bool all)
    : proc_path_(std::move(proc_path)),
      run_netns_dir_(std::move(run_netns_dir)),
      all_(all),
      host_inode_(NetnsInode(kSelfNetns)) {}

std::vector<NetnsCandidate> NetnsRegistry::Discover() const {
  std::vector<NetnsCandidate> found{{host_inode_, "host", kSelfNetns, "/proc/self/net", {}}};
  if (!all_) {
    return found;
  }
  std::map<std::uint64_t, std::size_t> index{{host_inode_, 0}};
  // Returns the entry for `inode`, adding `candidate` when it is new.
  const auto add = [&](std::uint64_t inode, NetnsCandidate candidate) -> NetnsCandidate* {
    if (inode == 0) {
      return nullptr;
    }
    auto [it, inserted] = index.try_emplace(inode, found.size());
    if (inserted) {
      found.push_back(std::move(candidate));
    } else if (found[it->second].proc_net_dir.empty()) {
      found[it->second].proc_net_dir = candidate.proc_net_dir;  // named netns with a process
    }
    return &found[it->second];
  };
  if (DIR* dir = ::opendir(run_netns_dir_.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string path = run_netns_dir_ + "/" + entry->d_name;
      if (entry->d_name[0] != '.') {
        const auto inode = NetnsInode(path);
        add(inode, {inode, entry->d_name, path, "", {}});
      }
    }
    ::closedir(dir);
  }
  if (DIR* dir = ::opendir(proc_path_.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (IsPid(entry->d_name)) {
        const std::string pid_dir = proc_path_ + "/" + entry->d_name;
        const auto inode = NetnsInode(pid_dir + "/ns/net");
        auto* netns = add(inode, {inode,
                                  "net:[" + std::to_string(inode) + "]",
                                  pid_dir + "/ns/net",
                                  pid_dir + "/net",
                                  {}});
        if (netns != nullptr) {
          netns->pids.push_back(std::atoi(entry->d_name));
        }
      }
    }
    ::closedir(dir);
  }
  return found;
}

Result<std::unique_ptr<Netns>> NetnsRegistry::Open(const NetnsCandidate& candidate) const {
  auto netns = std::make_unique<Netns>();
  netns->id = candidate;
  std::unique_ptr<SocketSource> diag;
  const auto create = [&]() -> Status {
    if (auto source = NetlinkSocketSource::Open()) {
      diag = std::move(*source);
    }
    auto reader = InterfaceAddressReader::Open();
    if (!reader) {
      return std::unexpected(reader.error());
    }
    netns->interfaces = std::move(*reader);
    return {};
  };
  Status status;
  if (candidate.inode == host_inode_) {
    status = create();
  } else {
    UniqueFd fd(::open(candidate.path.c_str(), O_RDONLY | O_CLOEXEC));

    struct stat st {};

    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_ino != candidate.inode) {
      return Fail("vanished", ENOENT);  // gone, or the pid now lives elsewhere
    }
    status = InNamespace(fd.get(), create);
  }
  if (!status) {
    return std::unexpected(status.error());
  }
  netns->sockets = std::make_unique<FallbackSocketSource>(
      std::move(diag), std::make_unique<ProcNetSocketSource>(candidate.proc_net_dir),
      candidate.label);
  return netns;
}

NetnsSyncStats NetnsRegistry::Sync(const std::vector<NetnsCandidate>& candidates) {
  NetnsSyncStats stats;
  std::map<std::uint64_t, std::unique_ptr<Netns>> next;
  for (const auto& candidate : candidates) {
    if (auto it = open_.find(candidate.inode); it != open_.end()) {
      if (it->second->id.proc_net_dir != candidate.proc_net_dir) {
        it->second->sockets->ReplaceFallback(
            std::make_unique<ProcNetSocketSource>(candidate.proc_net_dir));
      }
      it->second->id = candidate;  // the path may now go through another pid
      next.emplace(candidate.inode, std::move(it->second));
      open_.erase(it);
      continue;
    }
    auto opened = Open(candidate);
    if (!opened) {
      ++(opened.error().code == ENOENT ? stats.vanished : stats.failed);
      stats.skipped.push_back(candidate.label + ": " + opened.error().message);
      continue;
    }
    ++stats.opened;
    next.emplace(candidate.inode, std::move(*opened));
  }
  stats.dropped = static_cast<int>(open_.size());
  open_ = std::move(next);
  return stats;
}

std::vector<Netns*> NetnsRegistry::Namespaces() {
  std::vector<Netns*> out;
  if (auto it = open_.find(host_inode_); it != open_.end()) {
    out.push_back(it->second.get());
  }
  for (auto& [inode, netns] : open_) {
    if (inode != host_inode_) {
      out.push_back(netns.get());
    }
  }
  return out;
}

}  // namespace portwarden::inventory
