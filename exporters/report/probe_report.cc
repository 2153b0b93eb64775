#include "exporters/report/report.h"

namespace portwarden::exporters::report {

// Placeholder: the prober issue fills this in.
std::string ProbeReportText(const probe::ProbeResult& /*result*/, double /*now*/) {
  return {};
}

}  // namespace portwarden::exporters::report
