#pragma once

#include "agent/inventory/listener.h"
#include "exporters/prometheus/family_builder.h"

namespace portwarden::exporters::prom {

/// The listener label set `L` shared by every per-listener series (portwarden_listener_info,
/// portwarden_listener_first_seen_timestamp_seconds, portwarden_exposure_violation), in this
/// order: netns, proto, family, address, port, scope, process, unit. One definition so the
/// series join in PromQL.
LabelList ListenerLabels(const inventory::Listener& listener);

}  // namespace portwarden::exporters::prom
