#include "agent/certfiles/cross_check.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "agent/core/ascii.h"

namespace portwarden::certfiles {
namespace {

// The IP SANs are in the comma-separated `san` of the certificate's info.
bool HasIpSan(const probe::CertificateInfo& info, std::string_view ip) {
  std::string_view rest = info.san;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (rest.substr(0, comma) == ip) {
      return true;
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

bool NameCovers(std::string_view pattern, std::string_view host) {
  const std::string name = AsciiLower(host);
  if (pattern.empty() || name.empty()) {
    return false;
  }
  if (!pattern.starts_with("*.")) {
    return pattern == name;
  }
  const auto dot = name.find('.');
  // The wildcard stands for one whole, non-empty label; "*.com"-like patterns still need two.
  return dot != std::string::npos && dot > 0 &&
         pattern.substr(1) == std::string_view(name).substr(dot) &&
         pattern.find('.', 2) != std::string_view::npos;
}

bool CertificateMatches(const DiskCertificate& cert, std::string_view server_name) {
  if (HasIpSan(cert.info, server_name)) {
    return true;
  }
  const bool cn_only = cert.names.size() == 1 && cert.info.san.empty();
  if (cert.is_ca && cn_only) {
    return false;
  }
  return std::any_of(cert.names.begin(), cert.names.end(),
                     [&](const std::string& name) { return NameCovers(name, server_name); });
}

std::vector<RenewedNotServed> FindRenewedNotServed(const probe::ProbeReport& probes,
                                                   const CertFileReport& files) {
  std::vector<RenewedNotServed> out;
  for (const auto& result : probes.results) {
    if (result.chain.empty()) {
      continue;
    }
    const probe::CertificateInfo& leaf = result.chain.front();
    const std::string server_name =
        result.server_name.empty() ? TargetHost(result.target) : result.server_name;
    std::map<std::string, bool> by_path;  // path -> renewed, not served
    for (const auto& cert : files.certificates) {
      if (!CertificateMatches(cert, server_name)) {
        continue;
      }
      const bool newer = cert.info.fingerprint_sha256 != leaf.fingerprint_sha256 &&
                         cert.info.not_before > leaf.not_before;
      by_path[cert.path] = by_path[cert.path] || newer;
    }
    for (const auto& [path, renewed] : by_path) {
      out.push_back(
          {result.target, result.address, result.server_name, result.source, path, renewed});
    }
  }
  return out;
}

CrossCheckReport CrossCheck(const probe::ProbeReport& probes,
                            const CertFileReport& files,
                            const posture::PostureReport& posture) {
  return {FindRenewedNotServed(probes, files), FindInconsistencies(probes, posture)};
}

}  // namespace portwarden::certfiles
