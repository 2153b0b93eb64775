#include "agent/core/host_identity.h"

#include <sys/utsname.h>

#include <fstream>
#include <string_view>

#include "agent/core/text_sanitize.h"

namespace portwarden {
namespace {

constexpr std::size_t kMaxFieldBytes = 256;

// The first line of a small file (at most 4 KiB read), or "" when it cannot be read.
std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return "";
  }
  return line.substr(0, 4096);
}

// PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" -> Debian GNU/Linux 12 (bookworm)
std::string PrettyName(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  for (int lines = 0; lines < 200 && std::getline(in, line); ++lines) {
    constexpr std::string_view kKey = "PRETTY_NAME=";
    if (!line.starts_with(kKey)) {
      continue;
    }
    std::string value = line.substr(kKey.size());
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "";
}

std::string Clean(std::string_view raw) {
  return text::SanitizeUtf8(raw, kMaxFieldBytes);
}

}  // namespace

HostIdentity ReadHostIdentity(const std::string& root) {
  HostIdentity host;

  struct utsname names {};

  if (::uname(&names) == 0) {
    host.hostname = Clean(names.nodename);
    host.kernel = Clean(std::string(names.sysname) + " " + names.release + " " + names.machine);
  }
  host.machine_id = Clean(FirstLine(root + "/etc/machine-id"));
  std::string os = PrettyName(root + "/etc/os-release");
  if (os.empty()) {
    os = PrettyName(root + "/usr/lib/os-release");
  }
  host.os = Clean(os);
  return host;
}

}  // namespace portwarden
