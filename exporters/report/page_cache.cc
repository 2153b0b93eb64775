#include "exporters/report/page_cache.h"

namespace portwarden::exporters::report {

PageCache::Rendering PageCache::Load() const {
  const std::lock_guard lock(current_mutex_);
  return current_;
}

// Generations only grow, so a rendering at or past the snapshot's generation is current.
std::shared_ptr<const std::string> PageCache::Get() const {
  const std::shared_ptr<const state::Snapshot> snapshot = source_();
  Rendering cached = Load();
  if (cached.page && cached.generation >= snapshot->generation) {
    return cached.page;
  }
  std::unique_lock render(render_mutex_, std::try_to_lock);
  if (!render.owns_lock()) {
    if (cached.page) {
      return cached.page;  // another thread renders the new one
    }
    render.lock();
  }
  cached = Load();
  if (cached.page && cached.generation >= snapshot->generation) {
    return cached.page;
  }
  Rendering next{snapshot->generation, std::make_shared<const std::string>(render_(*snapshot))};
  renders_.fetch_add(1);
  const std::lock_guard lock(current_mutex_);
  current_ = next;
  return next.page;
}

}  // namespace portwarden::exporters::report
