#include "agent/inventory/netns_registry.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "agent/core/log.h"
#include "agent/core/text_sanitize.h"
#include "agent/inventory/proc_interfaces.h"

namespace portwarden::inventory {
namespace {

constexpr const char* kSelfNetns = "/proc/self/ns/net";

std::uint64_t NetnsInode(const std::string& path) {
  struct stat st {};

  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The inode of <net_dir>/tcp: a /proc/net entry exists once per namespace, so this names
// the namespace of a process whose ns/net link we may not read (no ptrace access).
std::uint64_t ProcNetInode(const std::string& net_dir) {
  return net_dir.empty() ? 0 : NetnsInode(net_dir + "/tcp");
}

bool Denied(int err) {
  return err == EACCES || err == EPERM;
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

}  // namespace

NetnsRegistry::NetnsRegistry(std::string proc_path,
                             std::string run_netns_dir,
                             bool all,
                             std::unique_ptr<SocketSourceFactory> sources)
    : proc_path_(std::move(proc_path)),
      run_netns_dir_(std::move(run_netns_dir)),
      all_(all),
      host_inode_(NetnsInode(kSelfNetns)),
      sources_(sources ? std::move(sources) : std::make_unique<KernelSocketSources>()) {}

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
        add(inode, {inode, text::Sanitize(entry->d_name, text::Kind::kNetnsName), path, "", {}});
      }
    }
    ::closedir(dir);
  }
  std::vector<std::pair<std::uint64_t, int>> unidentified;  // (ProcNetInode, pid)
  if (DIR* dir = ::opendir(proc_path_.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      if (IsPid(entry->d_name)) {
        const std::string pid_dir = proc_path_ + "/" + entry->d_name;
        const auto inode = NetnsInode(pid_dir + "/ns/net");
        if (inode == 0 && Denied(errno)) {
          if (const auto proc_inode = ProcNetInode(pid_dir + "/net")) {
            unidentified.emplace_back(proc_inode, std::atoi(entry->d_name));
          }
          continue;
        }
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
  PlaceUnidentified(unidentified, found);
  return found;
}

// Processes whose ns/net could not be read join the namespace whose /proc/net entry they
// share (one stat per known namespace, only when there are such processes); the others
// form namespaces labelled by that entry.
void NetnsRegistry::PlaceUnidentified(
    const std::vector<std::pair<std::uint64_t, int>>& unidentified,
    std::vector<NetnsCandidate>& found) const {
  if (unidentified.empty()) {
    return;
  }
  std::map<std::uint64_t, std::size_t> by_proc_inode;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (const auto proc_inode = ProcNetInode(found[i].proc_net_dir)) {
      by_proc_inode.emplace(proc_inode, i);
    }
  }
  for (const auto& [proc_inode, pid] : unidentified) {
    const std::string pid_dir = proc_path_ + "/" + std::to_string(pid);
    auto [it, inserted] = by_proc_inode.try_emplace(proc_inode, found.size());
    if (inserted) {
      found.push_back({proc_inode,
                       "procnet:[" + std::to_string(proc_inode) + "]",
                       pid_dir + "/ns/net",
                       pid_dir + "/net",
                       {}});
    }
    found[it->second].pids.push_back(pid);
  }
}

// The kProc path: sockets and interface addresses from a member process's /proc/<pid>/net.
std::unique_ptr<Netns> NetnsRegistry::OpenThroughProcess(const NetnsCandidate& candidate) const {
  auto netns = std::make_unique<Netns>();
  netns->id = candidate;
  netns->path = NetnsPath::kProc;
  netns->sockets =
      FallbackSocketSource::ProcOnly(sources_->ProcNet(candidate.proc_net_dir), candidate.label);
  return netns;
}

// Enters the namespace (the kNetlink path, /proc as the per-protocol fallback); where that is
// denied, reads it through a member process when there is one.
Result<std::unique_ptr<Netns>> NetnsRegistry::Open(const NetnsCandidate& candidate) const {
  auto entered = sources_->Enter(candidate, candidate.inode == host_inode_);
  if (!entered && Denied(entered.error().code) && !candidate.proc_net_dir.empty()) {
    log::Debug("network namespace cannot be entered; reading it through a member process",
               {{"netns", candidate.label},
                {"via", candidate.proc_net_dir},
                {"reason", entered.error().message}});
    return OpenThroughProcess(candidate);
  }
  if (!entered) {
    return std::unexpected(entered.error());
  }
  auto netns = std::make_unique<Netns>();
  netns->id = candidate;
  netns->interfaces = std::move(entered->interfaces);
  netns->sockets = std::make_unique<FallbackSocketSource>(
      std::move(entered->diag), sources_->ProcNet(candidate.proc_net_dir), candidate.label);
  return netns;
}

NetnsSyncStats NetnsRegistry::Sync(const std::vector<NetnsCandidate>& candidates) {
  NetnsSyncStats stats;
  std::map<std::uint64_t, std::unique_ptr<Netns>> next;
  for (const auto& candidate : candidates) {
    if (auto it = open_.find(candidate.inode); it != open_.end()) {
      const bool proc_path = it->second->path == NetnsPath::kProc;
      if (proc_path && candidate.proc_net_dir.empty()) {
        ++stats.unreadable;  // its last member process is gone: nothing to read it through
        stats.skipped.push_back(candidate.label + ": no member process left, cannot enter");
        continue;
      }
      if (it->second->id.proc_net_dir != candidate.proc_net_dir) {
        it->second->sockets->ReplaceFallback(sources_->ProcNet(candidate.proc_net_dir));
      }
      it->second->id = candidate;  // the path may now go through another pid
      next.emplace(candidate.inode, std::move(it->second));
      open_.erase(it);
      continue;
    }
    auto opened = Open(candidate);
    if (!opened) {
      const int code = opened.error().code;
      ++(code == ENOENT ? stats.vanished : Denied(code) ? stats.unreadable : stats.failed);
      stats.skipped.push_back(candidate.label + ": " + opened.error().message +
                              (Denied(code) ? " (and no member process to read it through)" : ""));
      continue;
    }
    ++stats.opened;
    next.emplace(candidate.inode, std::move(*opened));
  }
  stats.dropped = static_cast<int>(open_.size());
  open_ = std::move(next);
  return stats;
}

Result<InterfaceTable> Netns::ReadInterfaces() {
  if (path == NetnsPath::kProc) {
    return ReadProcInterfaces(id.proc_net_dir);
  }
  if (!interfaces) {
    return Fail("no route socket in this namespace", ENOTSOCK);
  }
  return interfaces->Read();
}

bool Netns::ViaProc() const {
  return path == NetnsPath::kProc || sockets->fallback_active();
}

bool Netns::StillMember() const {
  if (path != NetnsPath::kProc) {
    return true;
  }
  const auto slash = id.proc_net_dir.rfind('/');
  const auto pid_dir = id.proc_net_dir.substr(0, slash == std::string::npos ? 0 : slash);
  const auto inode = NetnsInode(pid_dir + "/ns/net");
  return inode == id.inode || ProcNetInode(id.proc_net_dir) == id.inode;
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
