#include "exporters/report/report.h"

namespace portwarden::exporters::report {

// Placeholder: the inventory issue fills this in.
std::string ListenerTable(const inventory::InventoryReport& /*inventory*/,
                          const policy::PolicyReport& /*policy*/) {
  return {};
}

}  // namespace portwarden::exporters::report
