#include "exporters/prometheus/listener_labels.h"

#include <string>

namespace portwarden::exporters::prom {

LabelList ListenerLabels(const inventory::Listener& listener) {
  return {{"netns", listener.netns},
          {"proto", std::string(ProtocolName(listener.protocol))},
          {"family", std::string(FamilyName(listener.family))},
          {"address", listener.address},
          {"port", std::to_string(listener.port)},
          {"scope", std::string(ScopeName(listener.scope))},
          {"process", listener.process.comm},
          {"unit", listener.process.unit}};
}

}  // namespace portwarden::exporters::prom
