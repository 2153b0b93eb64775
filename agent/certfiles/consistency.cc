#include "agent/certfiles/consistency.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "agent/config/host_port.h"
#include "agent/core/ascii.h"

namespace portwarden::certfiles {
namespace {

// (host, server_name) -> port -> the distinct values of one aspect its addresses gave.
using GroupKey = std::pair<std::string, std::string>;
template <typename Value>
using PortValues = std::map<GroupKey, std::map<std::uint16_t, std::set<Value>>>;

struct HostAndPort {
  std::string host;  // lowercased, with the "<netns>/" prefix of a discovered target
  std::uint16_t port = 0;
};

// A discovered listener of another namespace is "<netns>/<host>:<port>" (discovery.h): the
// namespace stays part of the host, and "[v6]:port" after it still parses.
HostAndPort SplitTarget(std::string_view target) {
  const auto slash = target.rfind('/');
  const std::string_view netns = slash == std::string_view::npos ? "" : target.substr(0, slash + 1);
  auto parsed = config::SplitHostPort(target.substr(netns.size()));
  if (!parsed) {
    return {AsciiLower(target), 0};
  }
  return {AsciiLower(netns) + AsciiLower(parsed->host), parsed->port};
}

// Files `value` under the endpoint's group and port: the one grouping of every aspect.
template <typename Value>
void Add(PortValues<Value>& groups,
         const std::string& target,
         const std::string& server_name,
         Value value) {
  HostAndPort split = SplitTarget(target);
  groups[{std::move(split.host), server_name}][split.port].insert(std::move(value));
}

template <typename Value>
void Compare(const PortValues<Value>& groups,
             std::string_view aspect,
             std::vector<PostureInconsistency>& out) {
  for (const auto& [key, ports] : groups) {
    if (ports.size() < 2) {
      continue;
    }
    const auto& first = ports.begin()->second;
    const bool differ = std::any_of(ports.begin(), ports.end(),
                                    [&](const auto& port) { return port.second != first; });
    out.push_back({key.first, key.second, std::string(aspect), differ});
  }
}

using VersionCiphers = std::map<std::string, std::string>;  // version -> suite chosen

// Keeps of each value only the versions present in every value of the group, so that ports
// that accept different versions (the "protocols" aspect) are compared on what they share.
PortValues<VersionCiphers> OnCommonVersions(const PortValues<VersionCiphers>& groups) {
  PortValues<VersionCiphers> out;
  for (const auto& [key, ports] : groups) {
    std::set<std::string> common;
    bool seeded = false;
    for (const auto& [port, values] : ports) {
      for (const auto& value : values) {
        std::set<std::string> versions;
        for (const auto& entry : value) {
          if (!seeded || common.contains(entry.first)) {
            versions.insert(entry.first);
          }
        }
        common = std::move(versions);
        seeded = true;
      }
    }
    if (common.empty()) {
      continue;  // nothing to compare
    }
    for (const auto& [port, values] : ports) {
      for (const auto& value : values) {
        VersionCiphers projected;
        for (const auto& version : common) {
          projected.emplace(version, value.at(version));
        }
        out[key][port].insert(std::move(projected));
      }
    }
  }
  return out;
}

// Whether the result's every group verdict was determined (it has some).
bool GroupsDetermined(const posture::PostureResult& result) {
  return !result.groups.empty() &&
         std::all_of(result.groups.begin(), result.groups.end(),
                     [](const probe::GroupVerdict& verdict) { return verdict.supported; });
}

}  // namespace

std::string TargetHost(std::string_view target) {
  return SplitTarget(target).host;
}

std::vector<PostureInconsistency> FindInconsistentLeaves(const probe::ProbeReport& probes) {
  PortValues<std::string> groups;
  for (const auto& result : probes.results) {
    if (!result.chain.empty()) {
      Add(groups, result.target, result.server_name, result.chain.front().fingerprint_sha256);
    }
  }
  std::vector<PostureInconsistency> out;
  Compare(groups, aspect::kLeafCertificate, out);
  return out;
}

std::vector<PostureInconsistency> FindInconsistentProtocols(const posture::PostureReport& posture) {
  PortValues<std::set<std::string>> groups;
  for (const auto& result : posture.results) {
    if (!result.reached) {
      continue;
    }
    std::set<std::string> accepted;
    for (const auto& version : result.versions) {
      if (version.accepted) {
        accepted.insert(version.version);
      }
    }
    Add(groups, result.target, result.server_name, std::move(accepted));
  }
  std::vector<PostureInconsistency> out;
  Compare(groups, aspect::kProtocols, out);
  return out;
}

std::vector<PostureInconsistency> FindInconsistentCiphers(const posture::PostureReport& posture) {
  PortValues<VersionCiphers> groups;
  for (const auto& result : posture.results) {
    if (!result.reached) {
      continue;
    }
    VersionCiphers chosen;
    for (const auto& version : result.versions) {
      if (version.accepted) {
        chosen.emplace(version.version, version.cipher);
      }
    }
    Add(groups, result.target, result.server_name, std::move(chosen));
  }
  std::vector<PostureInconsistency> out;
  Compare(OnCommonVersions(groups), aspect::kCiphers, out);
  return out;
}

std::vector<PostureInconsistency> FindInconsistentGroups(const posture::PostureReport& posture) {
  PortValues<std::set<std::string>> groups;
  for (const auto& result : posture.results) {
    if (!result.reached || !GroupsDetermined(result)) {
      continue;
    }
    std::set<std::string> supported;
    for (const auto& verdict : result.groups) {
      if (*verdict.supported) {
        supported.insert(verdict.group);
      }
    }
    Add(groups, result.target, result.server_name, std::move(supported));
  }
  std::vector<PostureInconsistency> out;
  Compare(groups, aspect::kGroups, out);
  return out;
}

std::vector<PostureInconsistency> FindInconsistencies(const probe::ProbeReport& probes,
                                                      const posture::PostureReport& posture) {
  auto out = FindInconsistentLeaves(probes);
  const auto append = [&out](std::vector<PostureInconsistency> part) {
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  };
  append(FindInconsistentProtocols(posture));
  append(FindInconsistentCiphers(posture));
  append(FindInconsistentGroups(posture));
  return out;
}

}  // namespace portwarden::certfiles
