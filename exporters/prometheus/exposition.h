#pragma once

#include <string>

#include "agent/state/snapshot.h"
#include "exporters/prometheus/collector_set.h"
#include "exporters/prometheus/family_builder.h"

namespace portwarden::exporters::prom {

/// The snapshot part of the exposition: every family that depends only on `snapshot`, for the
/// enabled collectors, in exposition order. Pure; the same snapshot gives the same families.
Families CollectSnapshotFamilies(const state::Snapshot& snapshot, const CollectorSet& collectors);

/// The same families as text, rendered group by group: each group's families are built,
/// serialized and freed before the next, so the transient memory is that of the largest group
/// (one per-endpoint group: about 2 KB per series) rather than of the whole exposition.
/// `size_hint`: the previous rendering's size, reserved up front. Identical to
/// SerializeText(CollectSnapshotFamilies(snapshot, collectors)).
std::string RenderSnapshotText(const state::Snapshot& snapshot,
                               const CollectorSet& collectors,
                               std::size_t size_hint = 0);

/// The per-scrape part: families whose values move between snapshots (process_*, read from
/// `proc_path` now). Empty when the process collector is off.
Families CollectScrapeFamilies(const std::string& proc_path, const CollectorSet& collectors);

}  // namespace portwarden::exporters::prom
