// ExpositionCache: one rendering per snapshot shared by every scrape, the per-scrape part
// fresh each time, gzip bodies that inflate to the text body, and collectors that remove
// exactly their families. Snapshots are synthetic (tests/lib/synthetic_snapshot.h).
#include "exporters/prometheus/exposition_cache.h"

#include <zlib.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "exporters/prometheus/exposition.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "tests/lib/synthetic_snapshot.h"

namespace portwarden::exporters::prom {
namespace {

const testing::SyntheticShape kShape{.endpoints = 3, .listeners = 4};

std::string Inflate(const std::string& gzip) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(stream.avail_in, 0u) << "one gzip member, nothing after it";
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

struct Fixture {
  state::SnapshotStore store;
  ExpositionCache cache{[this] { return store.Get(); }, "/proc"};

  void Publish(int round) {
    store.Update([round](state::Snapshot& s) {
      const auto generation = s.generation;
      s = testing::SyntheticSnapshot(kShape, round);
      s.generation = generation;
    });
  }
};

std::set<std::string> FamilyNames(const Families& families) {
  std::set<std::string> names;
  for (const auto& family : families) {
    names.insert(family.name);
  }
  return names;
}

TEST(ExpositionCacheTest, ScrapesOfOneSnapshotShareOneRendering) {
  Fixture f;
  f.Publish(0);
  const auto first = f.cache.Current();
  const ScrapeBody a = f.cache.Scrape(false);
  const ScrapeBody b = f.cache.Scrape(false);
  EXPECT_EQ(f.cache.Current(), first);
  EXPECT_EQ(f.cache.renders(), 1u);
  const std::string text = *first->Text();
  ASSERT_TRUE(a.Joined().starts_with(text));
  ASSERT_TRUE(b.Joined().starts_with(text));
  // The per-scrape part follows, and is process_* only.
  const std::string tail = a.Joined().substr(text.size());
  EXPECT_TRUE(tail.starts_with("# HELP process_")) << tail;
  EXPECT_EQ(text.find("process_"), std::string::npos);
  EXPECT_NE(text.find("portwarden_tls_probe_success{"), std::string::npos);
  // Both text scrapes send one shared copy of the text, not a copy each.
  EXPECT_EQ(a.shared_prefix, b.shared_prefix);
  EXPECT_EQ(a.shared_prefix, first->Text());
  EXPECT_EQ(a.body, tail);
  // Gzip scrapes send the cached compressed rendering itself.
  const ScrapeBody c = f.cache.Scrape(true);
  const ScrapeBody d = f.cache.Scrape(true);
  ASSERT_TRUE(c.gzip);
  EXPECT_EQ(c.shared_prefix.get(), &first->gzip->member_head);
  EXPECT_EQ(d.shared_prefix.get(), &first->gzip->member_head);
}

TEST(ExpositionCacheTest, TheTextIsHeldOnlyWhileATextScrapeHoldsIt) {
  Fixture f;
  f.Publish(0);
  const auto rendering = f.cache.Current();
  EXPECT_FALSE(rendering->TextHeld()) << "a rendering holds its text compressed only";
  {
    const ScrapeBody gzip = f.cache.Scrape(true);
    EXPECT_FALSE(rendering->TextHeld()) << "gzip scrapes need no text";
    const ScrapeBody text = f.cache.Scrape(false);
    EXPECT_TRUE(rendering->TextHeld());
  }
  EXPECT_FALSE(rendering->TextHeld()) << "freed with the last text scrape";
  EXPECT_EQ(*rendering->Text(), RenderSnapshotText(*f.store.Get(), {}));
}

TEST(ExpositionCacheTest, ASharedRenderingOutlivesItsReplacement) {
  Fixture f;
  f.Publish(0);
  const ScrapeBody held = f.cache.Scrape(false);
  const ScrapeBody held_gzip = f.cache.Scrape(true);
  const std::string before = *held.shared_prefix;
  const std::string before_gzip = held_gzip.Joined();
  f.Publish(1);
  (void)f.cache.Scrape(true);  // renders the new snapshot, drops the cache's old one
  EXPECT_NE(*f.cache.Current()->Text(), before);
  EXPECT_EQ(*held.shared_prefix, before);  // still valid for the connections sending them
  EXPECT_EQ(held_gzip.Joined(), before_gzip);
}

TEST(ExpositionCacheTest, NewSnapshotGivesNewRendering) {
  Fixture f;
  f.Publish(0);
  const auto first = f.cache.Current();
  f.Publish(1);
  const auto second = f.cache.Current();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->generation, first->generation + 1);
  EXPECT_NE(*second->Text(), *first->Text());
  EXPECT_EQ(f.cache.renders(), 2u);
  // What a fresh render of the same snapshot gives, byte for byte.
  EXPECT_EQ(*second->Text(), SerializeText(CollectSnapshotFamilies(*f.store.Get(), {})));
}

TEST(ExpositionCacheTest, GzipInflatesToTheTextBody) {
  Fixture f;
  f.Publish(0);
  const ScrapeBody text = f.cache.Scrape(false);
  const ScrapeBody gzip = f.cache.Scrape(true);
  ASSERT_TRUE(gzip.gzip);
  EXPECT_FALSE(text.gzip);
  const std::string inflated = Inflate(gzip.Joined());
  const std::string& snapshot_part = *f.cache.Current()->Text();
  ASSERT_TRUE(inflated.starts_with(snapshot_part));
  // process_* differs between the two scrapes only in values; the family lines match.
  EXPECT_EQ(inflated.size() > snapshot_part.size(), true);
  EXPECT_NE(inflated.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
  EXPECT_LT(gzip.Joined().size(), text.Joined().size());
}

TEST(ExpositionCacheTest, ConcurrentScrapersRenderOnce) {
  Fixture f;
  f.Publish(0);
  (void)f.cache.Current();
  f.Publish(1);
  std::vector<std::thread> scrapers;
  for (int i = 0; i < 50; ++i) {
    scrapers.emplace_back([&f, i] { (void)f.cache.Scrape(i % 2 == 0); });
  }
  for (auto& scraper : scrapers) {
    scraper.join();
  }
  EXPECT_EQ(f.cache.renders(), 2u);
}

// Which families each collector owns; every family of a full rendering is in exactly one.
const std::map<std::string, std::set<std::string>>& Owned() {
  static const std::map<std::string, std::set<std::string>> kOwned = {
      {"listeners",
       {"portwarden_listener_info", "portwarden_listener_sockets",
        "portwarden_listener_first_seen_timestamp_seconds", "portwarden_listener_connections",
        "portwarden_listener_accept_queue", "portwarden_listener_accept_queue_limit"}},
      // and every portwarden_inventory_* family (see InventoryFamilies)
      {"inventory",
       {"portwarden_listener_series_limit", "portwarden_listener_series_dropped_total",
        "portwarden_listeners"}},
      {"exposure",
       {"portwarden_exposure_violation", "portwarden_exposure_violations",
        "portwarden_exposure_bound_unreachable", "portwarden_listener_changes_total"}},
      {"tls",
       {"portwarden_tls_probe_success", "portwarden_tls_probe_timestamp_seconds",
        "portwarden_tls_probe_duration_seconds", "portwarden_tls_probes_total",
        "portwarden_tls_probe_failures_total", "portwarden_tls_version_info",
        "portwarden_tls_cipher_info", "portwarden_tls_group_info",
        "portwarden_tls_chain_earliest_not_after_timestamp_seconds", "portwarden_tls_cert_verified",
        "portwarden_tls_verify_result_info", "portwarden_discovery_targets",
        "portwarden_tls_posture_inconsistent"}},
      {"tls_chain",
       {"portwarden_tls_cert_not_after_timestamp_seconds",
        "portwarden_tls_cert_not_before_timestamp_seconds", "portwarden_tls_cert_info"}},
      {"tls_histogram", {"portwarden_tls_handshake_seconds"}},
      {"http",
       {"portwarden_http_status_code", "portwarden_http_hsts_present",
        "portwarden_http_hsts_max_age_seconds", "portwarden_http_redirects_to_https"}},
      {"certfiles",
       {"portwarden_cert_file_not_after_timestamp_seconds",
        "portwarden_cert_file_not_before_timestamp_seconds", "portwarden_cert_file_info",
        "portwarden_cert_file_error", "portwarden_tls_cert_renewed_not_served"}},
      {"posture",
       {"portwarden_tls_posture_success", "portwarden_tls_posture_timestamp_seconds",
        "portwarden_tls_protocol_accepted", "portwarden_tls_posture_finding",
        "portwarden_tls_group_supported", "portwarden_tls_group_probe_error",
        "portwarden_tls_cert_revoked", "portwarden_tls_crl_this_update_timestamp_seconds",
        "portwarden_tls_crl_next_update_timestamp_seconds",
        "portwarden_tls_crl_fetch_timestamp_seconds", "portwarden_tls_crl_stale",
        "portwarden_tls_crl_check_error", "portwarden_tls_ocsp_staple_info",
        "portwarden_tls_ocsp_staple_next_update_timestamp_seconds"}},
      {"process",
       {"process_cpu_seconds_total", "process_max_fds", "process_open_fds",
        "process_resident_memory_bytes", "process_start_time_seconds",
        "process_virtual_memory_bytes", "process_virtual_memory_max_bytes"}},
  };
  return kOwned;
}

std::set<std::string> AllFamilies(const state::Snapshot& snapshot, const CollectorSet& set) {
  std::set<std::string> names = FamilyNames(CollectSnapshotFamilies(snapshot, set));
  names.merge(FamilyNames(CollectScrapeFamilies("/proc", set)));
  return names;
}

TEST(ExpositionCacheTest, DisablingACollectorRemovesExactlyItsFamilies) {
  const state::Snapshot snapshot = testing::SyntheticSnapshot(kShape);
  const std::set<std::string> all = AllFamilies(snapshot, {});
  ASSERT_EQ(Owned().size(), AllCollectors().size());
  for (const CollectorInfo& info : AllCollectors()) {
    CollectorSet set;
    ASSERT_TRUE(set.Apply({{std::string(info.name), false}}));
    std::set<std::string> removed;
    const std::set<std::string> left = AllFamilies(snapshot, set);
    std::set_difference(all.begin(), all.end(), left.begin(), left.end(),
                        std::inserter(removed, removed.end()));
    std::set<std::string> expected = Owned().at(std::string(info.name));
    if (info.id == Collector::kInventory) {  // the inventory's health gauges, however many
      for (const std::string& name : all) {
        if (name.starts_with("portwarden_inventory_")) {
          expected.insert(name);
        }
      }
    }
    EXPECT_EQ(removed, expected) << info.name;
    EXPECT_TRUE(std::includes(all.begin(), all.end(), left.begin(), left.end()));
  }
  // With every collector off, the agent's own health is what is left.
  CollectorSet none;
  ASSERT_TRUE(none.Apply({{"disable-defaults", true}, {"tls", true}}));
  const std::set<std::string> left = AllFamilies(snapshot, none);
  EXPECT_TRUE(left.contains("portwarden_build_info"));
  EXPECT_TRUE(left.contains("portwarden_tls_probe_success"));
  EXPECT_FALSE(left.contains("portwarden_listener_info"));
  EXPECT_FALSE(left.contains("process_open_fds"));
}

TEST(ExpositionCacheTest, UnknownCollectorIsAnError) {
  CollectorSet set;
  const Status status = set.Apply({{"tsl", false}});
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("unknown collector \"tsl\""), std::string::npos);
  EXPECT_NE(status.error().message.find("tls_chain"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::exporters::prom
