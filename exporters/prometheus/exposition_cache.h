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
/// (read-only) by every scrape of it. Held compressed only (about 1/30 of the text): gzip
/// scrapes (Prometheus always asks for gzip) send `gzip->member_head` as it is. The text is
/// inflated from it when a text scrape asks, shared by the text scrapes that overlap, and
/// freed when the last of them is sent, so a steady agent holds no copy of its text.
/// Thread-safe.
struct RenderedSnapshot {
  std::uint64_t generation = 0;
  std::optional<DeflatedPrefix> gzip;  ///< nullopt if zlib failed: then `kept_text` is set
  std::shared_ptr<const std::string> kept_text;  ///< only without gzip

  /// Text format 0.0.4; the same string for every caller while any of them holds it.
  std::shared_ptr<const std::string> Text() const;

  /// Whether some caller still holds the inflated text (tests).
  bool TextHeld() const;

 private:
  mutable std::mutex text_mutex_;
  mutable std::weak_ptr<const std::string> text_;
};

/// One /metrics body: `shared_prefix` (the cached rendering, gzip or text, shared by every
/// scrape of one snapshot and never copied) followed by `body`.
struct ScrapeBody {
  std::shared_ptr<const std::string> shared_prefix;
  std::string body;
  bool gzip = false;  ///< prefix + body are one gzip member (Content-Encoding: gzip)

  /// The whole body in one string (tests).
  std::string Joined() const { return (shared_prefix ? *shared_prefix : std::string()) + body; }
};

/// Serves /metrics as a copy. The snapshot part (all but process_*) is rendered, in text and
/// compressed, on the first scrape after a new snapshot is published — once, however many
/// scrapers arrive together: one renders, and the others meanwhile take the previous rendering
/// (or wait, when there is none yet). The rendering streams each group's text into deflate
/// (PrefixDeflater), so the whole text is never held. The per-scrape part (process_*) is
/// rendered at every scrape and appended; in gzip it is compressed alone and joined to the
/// cached deflate data (gzip_member.h). Holds only the current rendering; a scrape still
/// sending the one it replaced keeps that alive through its shared_ptr. Thread-safe.
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
