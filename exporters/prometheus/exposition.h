#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "agent/state/snapshot.h"
#include "exporters/prometheus/collector_set.h"
#include "exporters/prometheus/family_builder.h"

namespace portwarden::exporters::prom {

/// The snapshot part of the exposition: every family that depends only on `snapshot`, for the
/// enabled collectors, in exposition order. Pure; the same snapshot gives the same families.
Families CollectSnapshotFamilies(const state::Snapshot& snapshot, const CollectorSet& collectors);

/// The same families as text, rendered group by group and handed to `sink` one group's text
/// at a time: each group's families are built, serialized, passed on and freed before the
/// next, so the transient memory is that of the largest group rather than of the whole
/// exposition, and a sink that compresses (PrefixDeflater) never holds the whole text. The
/// pieces joined are SerializeText(CollectSnapshotFamilies(snapshot, collectors)).
void RenderSnapshot(const state::Snapshot& snapshot,
                    const CollectorSet& collectors,
                    const std::function<void(std::string_view)>& sink);

/// RenderSnapshot's pieces joined into one string (tests, and the fallback without zlib).
std::string RenderSnapshotText(const state::Snapshot& snapshot, const CollectorSet& collectors);

/// The per-scrape part: families whose values move between snapshots (process_*, read from
/// `proc_path` now). Empty when the process collector is off.
Families CollectScrapeFamilies(const std::string& proc_path, const CollectorSet& collectors);

}  // namespace portwarden::exporters::prom
