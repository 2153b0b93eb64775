#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {

// Placeholder: the inventory issue fills this in.
void WriteListeners(JsonWriter& out,
                    const inventory::InventoryReport& /*inventory*/,
                    const policy::PolicyReport& /*policy*/) {
  out.BeginArray().EndArray();
}

}  // namespace portwarden::exporters::json
