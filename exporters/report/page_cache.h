#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/state/snapshot.h"

namespace portwarden::exporters::report {

/// A page rendered once per snapshot generation and shared read-only by every request for
/// it, as ExpositionCache does for /metrics: a status page of 2,000 listeners costs a few
/// milliseconds to render and ~0.8 MB, so a refreshing browser or a monitoring check must
/// not render it again each time. One thread renders; the others meanwhile take the previous
/// rendering (or wait when there is none). Thread-safe.
class PageCache {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const state::Snapshot>()>;
  using Renderer = std::function<std::string(const state::Snapshot&)>;

  PageCache(SnapshotSource source, Renderer render)
      : source_(std::move(source)), render_(std::move(render)) {}

  /// The page for the latest snapshot.
  std::shared_ptr<const std::string> Get() const;

  /// How many renderings were made so far (for tests).
  std::uint64_t renders() const { return renders_.load(); }

 private:
  struct Rendering {
    std::uint64_t generation = 0;
    std::shared_ptr<const std::string> page;
  };

  Rendering Load() const;

  SnapshotSource source_;
  Renderer render_;
  mutable std::mutex render_mutex_;   ///< held by the one thread rendering
  mutable std::mutex current_mutex_;  ///< guards current_
  mutable Rendering current_;
  mutable std::atomic<std::uint64_t> renders_{0};
};

}  // namespace portwarden::exporters::report
