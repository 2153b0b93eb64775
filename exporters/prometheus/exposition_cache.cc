#include "exporters/prometheus/exposition_cache.h"

#include "exporters/prometheus/exposition.h"
#include "exporters/prometheus/snapshot_collectable.h"

namespace portwarden::exporters::prom {

ExpositionCache::ExpositionCache(SnapshotSource source,
                                 std::string proc_path,
                                 CollectorSet collectors)
    : source_(std::move(source)), proc_path_(std::move(proc_path)), collectors_(collectors) {}

std::shared_ptr<const RenderedSnapshot> ExpositionCache::Load() const {
  const std::lock_guard lock(current_mutex_);
  return current_;
}

// Generations only grow, so a rendering at or past the snapshot's generation is current.
std::shared_ptr<const RenderedSnapshot> ExpositionCache::Current() const {
  const std::shared_ptr<const state::Snapshot> snapshot = source_();
  std::shared_ptr<const RenderedSnapshot> cached = Load();
  if (cached && cached->generation >= snapshot->generation) {
    return cached;
  }
  std::unique_lock render(render_mutex_, std::try_to_lock);
  if (!render.owns_lock()) {
    if (cached) {
      return cached;  // someone is rendering the new one; never render twice at once
    }
    render.lock();
  }
  cached = Load();
  if (cached && cached->generation >= snapshot->generation) {
    return cached;  // rendered while we waited
  }
  cached = Render(*snapshot);
  const std::lock_guard lock(current_mutex_);
  current_ = cached;
  return cached;
}

std::shared_ptr<const std::string> RenderedSnapshot::Text() const {
  if (kept_text || !gzip) {
    return kept_text ? kept_text : std::make_shared<const std::string>();
  }
  const std::lock_guard lock(text_mutex_);
  std::shared_ptr<const std::string> text = text_.lock();
  if (!text) {
    // Our own deflate output inflates unless memory ran out; then the scrape has process_*.
    std::optional<std::string> inflated = InflatePrefix(*gzip);
    text = std::make_shared<const std::string>(inflated ? std::move(*inflated) : std::string());
    text_ = text;
  }
  return text;
}

bool RenderedSnapshot::TextHeld() const {
  const std::lock_guard lock(text_mutex_);
  return !text_.expired();
}

std::shared_ptr<const RenderedSnapshot> ExpositionCache::Render(
    const state::Snapshot& snapshot) const {
  auto rendering = std::make_shared<RenderedSnapshot>();
  rendering->generation = snapshot.generation;
  PrefixDeflater deflater;
  RenderSnapshot(snapshot, collectors_,
                 [&deflater](std::string_view piece) { deflater.Append(piece); });
  rendering->gzip = std::move(deflater).Finish();
  if (!rendering->gzip) {
    rendering->kept_text =
        std::make_shared<const std::string>(RenderSnapshotText(snapshot, collectors_));
  }
  renders_.fetch_add(1);
  // The rendering's transient (the families and text of the largest group) is freed now;
  // give it back rather than hold it in an HTTP worker's arena until the next snapshot.
  trimmer_.MaybeTrim();
  return rendering;
}

std::string ExpositionCache::ScrapeText() const {
  const Families families = CollectScrapeFamilies(proc_path_, collectors_);
  return families.empty() ? std::string() : SerializeText(families);
}

ScrapeBody ExpositionCache::Scrape(bool gzip) const {
  const std::shared_ptr<const RenderedSnapshot> rendering = Current();
  const std::string tail = ScrapeText();
  ScrapeBody out;
  if (gzip && rendering->gzip) {
    if (auto body = GzipTail(*rendering->gzip, tail)) {
      // The aliasing pointer keeps the whole rendering alive while any connection sends it.
      out.shared_prefix =
          std::shared_ptr<const std::string>(rendering, &rendering->gzip->member_head);
      out.body = std::move(*body);
      out.gzip = true;
      return out;
    }
  }
  out.shared_prefix = rendering->Text();
  out.body = tail;
  return out;
}

}  // namespace portwarden::exporters::prom
