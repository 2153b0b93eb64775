// The groups and revocation lines of `portwarden probe --posture`.
#include "agent/core/terminal_escape.h"
#include "agent/probe/group_verdict.h"
#include "agent/probe/revocation_result.h"
#include "exporters/report/report.h"

namespace portwarden::exporters::report {
namespace {

std::string CrlLine(const probe::CrlCheck& crl) {
  std::string line =
      "    crl [" + std::to_string(crl.chain_pos) + "] " + TerminalSafe(crl.url) + ":";
  if (crl.revoked) {
    line += *crl.revoked ? " REVOKED" : " not revoked";
  }
  if (crl.stale) {
    line += " (stale: past its nextUpdate)";
  }
  if (!crl.error.empty()) {
    line += " " + TerminalSafe(crl.error) + ": " + TerminalSafe(crl.detail);
  }
  return line + "\n";
}

}  // namespace

std::string GroupsAndRevocationText(const posture::PostureResult& result) {
  std::string out;
  if (!result.groups.empty()) {
    out += "    groups:";
    for (const auto& verdict : result.groups) {
      out += " " + verdict.group +
             (verdict.supported ? (*verdict.supported ? " yes" : " no")
                                : " ? (" + TerminalSafe(verdict.error_reason) + ")") +
             ",";
    }
    out.back() = '\n';
  }
  for (const auto& crl : result.revocation.crls) {
    out += CrlLine(crl);
  }
  const auto& staple = result.revocation.staple;
  out += "    ocsp staple: " + staple.status;
  if (!staple.detail.empty()) {
    out += " (" + TerminalSafe(staple.detail) + ")";
  }
  return out + "\n";
}

}  // namespace portwarden::exporters::report
