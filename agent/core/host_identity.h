#pragma once

#include <string>

namespace portwarden {

/// Who the agent runs on, for the status page, /api/state and `portwarden report`: an audit
/// artefact has to say which host it describes. Every field is sanitized, bounded UTF-8;
/// a field that could not be read is empty.
struct HostIdentity {
  std::string hostname;    ///< uname nodename
  std::string machine_id;  ///< /etc/machine-id (32 hex digits), when readable
  std::string kernel;      ///< "Linux 6.1.0-13-amd64 x86_64"
  std::string os;          ///< PRETTY_NAME of /etc/os-release
};

/// Reads the identity of this host. `root` prefixes the files read ("" = "/"), so a test
/// can point it at a tree of its own. Thread-safe; never fails (missing fields stay empty).
HostIdentity ReadHostIdentity(const std::string& root = "");

}  // namespace portwarden
