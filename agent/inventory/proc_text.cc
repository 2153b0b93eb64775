#include "agent/inventory/proc_text.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "agent/core/unique_fd.h"

namespace portwarden::inventory {
namespace {

bool IsHex64(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "docker-<id>.scope", "cri-containerd-<id>.scope", "libpod-<id>", or a bare "<id>".
std::string ContainerId(std::string_view component) {
  if (component.ends_with(".scope")) {
    component.remove_suffix(6);
  }
  const auto dash = component.rfind('-');
  const auto id = dash == std::string_view::npos ? component : component.substr(dash + 1);
  return IsHex64(id) ? std::string(id.substr(0, 12)) : std::string();
}

// "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid with _>.slice" (systemd driver)
// -> "pod/<uid>"; empty for anything else.
std::string PodId(std::string_view component) {
  if (component.ends_with(".slice")) {
    component.remove_suffix(6);
  }
  const auto at = component.rfind("pod");
  if (at == std::string_view::npos || (at != 0 && component[at - 1] != '-')) {
    return {};
  }
  std::string uid(component.substr(at + 3));
  std::replace(uid.begin(), uid.end(), '_', '-');
  const bool valid = uid.size() == 36 && std::all_of(uid.begin(), uid.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
                     });
  return valid ? "pod/" + uid : std::string();
}

}  // namespace

Result<std::string> ReadWholeFile(const std::string& path,
                                  std::size_t initial_size,
                                  std::size_t max_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, "open " + path));
  }
  std::string text(initial_size, '\0');
  std::size_t used = 0;
  for (;;) {
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "read " + path));
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
    if (used == text.size()) {
      if (text.size() >= max_size) {
        return std::unexpected(ErrnoError(EFBIG, "read " + path));
      }
      text.resize(std::min(text.size() * 2, max_size));
    }
  }
  text.resize(used);
  return text;
}

Result<std::string> ReadLink(const std::string& path) {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof(buffer));
  if (n < 0) {
    return std::unexpected(ErrnoError(errno, "readlink " + path));
  }
  return std::string(buffer, static_cast<std::size_t>(n));
}

std::string UnitFromCgroupPath(std::string_view path) {
  std::string fallback;
  std::string pod;
  while (!path.empty()) {
    const auto slash = path.rfind('/');
    const auto component = slash == std::string_view::npos ? path : path.substr(slash + 1);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
    if (auto id = ContainerId(component); !id.empty()) {
      return id;
    }
    if (component.ends_with(".service")) {
      return std::string(component);
    }
    if (pod.empty()) {
      pod = PodId(component);  // a pod's own cgroup (its sandbox), when no container encloses
    }
    if (fallback.empty() && component.ends_with(".scope")) {
      fallback = component;  // e.g. session-3.scope, unless a service encloses it
    }
  }
  return pod.empty() ? fallback : pod;
}

std::string UnitFromCgroup(std::string_view cgroup_text) {
  // Prefer the cgroup v2 line ("0::/path"), else the systemd v1 hierarchy.
  std::string_view path;
  while (!cgroup_text.empty()) {
    const auto end = std::min(cgroup_text.find('\n'), cgroup_text.size());
    const auto line = cgroup_text.substr(0, end);
    cgroup_text.remove_prefix(std::min(end + 1, cgroup_text.size()));
    if (line.starts_with("0::") || (path.empty() && line.find(":name=systemd:") != line.npos)) {
      path = line.substr(line.find(':', line.find(':') + 1) + 1);
    }
  }
  return UnitFromCgroupPath(path);
}

int ParentPidFromStat(std::string_view stat_text) {
  const auto paren = stat_text.rfind(')');
  if (paren == std::string_view::npos) {
    return 0;
  }
  // ") S 1234 ...": state, then ppid.
  std::string_view rest = stat_text.substr(paren + 1);
  const auto space = rest.find(' ', 1);
  if (space == std::string_view::npos) {
    return 0;
  }
  rest.remove_prefix(space + 1);
  int value = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

unsigned long long StartTimeFromStat(std::string_view stat_text) {
  const auto paren = stat_text.rfind(')');
  if (paren == std::string_view::npos) {
    return 0;
  }
  // Fields after "(comm)" start at field 3 (state); starttime is field 22.
  std::string_view rest = stat_text.substr(paren + 1);
  for (int field = 3; field < 22; ++field) {
    const auto space = rest.find(' ', 1);
    if (space == std::string_view::npos) {
      return 0;
    }
    rest.remove_prefix(space);
  }
  rest.remove_prefix(std::min<std::size_t>(1, rest.size()));
  unsigned long long value = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

}  // namespace portwarden::inventory
