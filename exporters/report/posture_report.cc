#include "agent/core/terminal_escape.h"
#include "exporters/report/report.h"

namespace portwarden::exporters::report {

std::string PostureReportText(const posture::PostureResult& result) {
  std::string out =
      "  posture " +
      (result.address.empty() ? std::string("unresolved") : TerminalSafe(result.address)) + ":";
  if (!result.reached) {
    return out + " not reached (" + TerminalSafe(result.failure_reason) + ")\n";
  }
  out += "\n    protocols:";
  for (const auto& version : result.versions) {
    out += " " + version.version + (version.accepted ? " yes" : " no") + ",";
  }
  out.back() = '\n';
  out += "    findings:";
  for (const auto check : result.findings) {
    out += " " + std::string(posture::CheckName(check));
  }
  out += result.findings.empty() ? " none\n" : "\n";
  return out + GroupsAndRevocationText(result);
}

}  // namespace portwarden::exporters::report
