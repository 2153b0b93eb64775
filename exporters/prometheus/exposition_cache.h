#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "agent/core/heap_trim.h"
#include "agent/state/snapshot.h"
#include "exporters/prometheus/collector_set.h"
#include "exporters/prometheus/gzip_member.h"

namespace portwarden::exporters::prom {

/// The snapshot part of the exposition, rendered once for one snapshot generation and shared
/// (read-only) by every scrape of it.
struct RenderedSnapshot {
  std::uint64_t generation = 0;
  std::string text;                    ///< text format 0.0.4
  std::optional<DeflatedPrefix> gzip;  ///< `text` compressed; nullopt if zlib failed
};

/// One /metrics body: `shared_prefix` (the cached rendering, shared by every scrape of one
/// snapshot and never copied; null for gzip) followed by `body`.
struct ScrapeBody {
  std::shared_ptr<const std::string> shared_prefix;
  std::string body;
  bool gzip = false;  ///< `body` is one gzip member (Content-Encoding: gzip)

  /// The whole body in one string (tests).
  std::string Joined() const { return (shared_prefix ? *shared_prefix : std::string()) + body; }
};

/// Serves /metrics as a copy. The snapshot part (all but process_*) is rendered, in text and
/// compressed, on the first scrape after a new snapshot is published — once, however many
/// scrapers arrive together: one renders, and the others meanwhile take the previous rendering
/// (or wait, when there is none yet). The per-scrape part (process_*) is rendered at every
/// scrape and appended; in gzip it is compressed alone and joined to the cached deflate data
/// (gzip_member.h). Holds only the current rendering; a scrape still sending the one it
/// replaced keeps that alive through its shared_ptr. Thread-safe.
class ExpositionCache {
 public:
  using SnapshotSource = std::function<std::shared_ptr<const state::Snapshot>()>;

  ExpositionCache(SnapshotSource source, std::string proc_path, CollectorSet collectors = {});

  /// The whole body of one scrape, compressed when `gzip`.
  ScrapeBody Scrape(bool gzip) const;

  /// The rendering of the latest snapshot (or, while another thread renders it, the previous).
  std::shared_ptr<const RenderedSnapshot> Current() const;

  /// The per-scrape part, rendered now.
  std::string ScrapeText() const;

  /// How many renderings were made so far (for tests and the benchmark).
  std::uint64_t renders() const { return renders_.load(); }

 private:
  std::shared_ptr<const RenderedSnapshot> Load() const;
  std::shared_ptr<const RenderedSnapshot> Render(const state::Snapshot& snapshot) const;

  SnapshotSource source_;
  std::string proc_path_;
  CollectorSet collectors_;
  mutable std::mutex render_mutex_;  ///< held by the one thread rendering
  mutable std::mutex current_mutex_;
  mutable std::shared_ptr<const RenderedSnapshot> current_;
  mutable std::atomic<std::uint64_t> renders_{0};
  mutable HeapTrimmer trimmer_{std::chrono::seconds(1)};  ///< used under render_mutex_
};

}  // namespace portwarden::exporters::prom
