// ProcessResolver's own logic (claim order, owner cache, top-most holder, the one-pass
// walker's life cycle) against fake processes: no /proc involved.
#include <cerrno>
#include <memory>

#include <gtest/gtest.h>

#include "agent/inventory/process_resolver.h"
#include "tests/unit/inventory/fake_processes.h"

namespace portwarden::inventory {
namespace {

using testing::FakeFdWalker;
using testing::FakeProcesses;
using testing::FakeReader;

ProcessResolver PidByPid(FakeProcesses& host) {
  return ProcessResolver(std::make_unique<FakeReader>(host));
}

// A resolver whose one-pass walker is a FakeFdWalker over `host`; `walker` points at it once
// loaded; `loads` counts load attempts.
struct WithWalker {
  explicit WithWalker(FakeProcesses& host, bool load_fails = false)
      : resolver(std::make_unique<FakeReader>(host),
                 [this, &host, load_fails]() -> Result<std::unique_ptr<FdWalker>> {
                   ++loads;
                   if (load_fails) {
                     return Fail("bpf: no CAP_BPF", EPERM);
                   }
                   auto fake = std::make_unique<FakeFdWalker>(host);
                   walker = fake.get();
                   return std::unique_ptr<FdWalker>(std::move(fake));
                 }) {}

  int loads = 0;
  FakeFdWalker* walker = nullptr;
  ProcessResolver resolver;
};

std::vector<std::uint64_t> Inodes(std::initializer_list<std::uint64_t> list) {
  return list;
}

TEST(ProcessResolverLogicTest, VisitsPreviousOwnersThenLikelyThenOthersInitLast) {
  FakeProcesses host;
  host.Add(1, "systemd", {900});
  host.Add(10, "a", {100});
  host.Add(20, "b", {200});
  host.Add(30, "c", {300});
  host.Add(40, "d", {});
  auto resolver = PidByPid(host);
  ResolveStats first;
  const auto likely = std::vector<int>{30};
  resolver.Resolve(Inodes({300, 900}), first, likely);
  // likely (30) first, then the rest ascending with PID 1 last; 900 is only in PID 1.
  EXPECT_EQ(host.fd_reads, (std::vector<int>{30, 10, 20, 40, 1}));
  EXPECT_STREQ(first.walk, "procfs");

  // 300 moved from pid 30 to pid 20: 30's fd count changed, so its cache entry is dropped;
  // the previous owner still cached (PID 1) is read first, then the likely pid 10, then the
  // others until 300 is found.
  host.at(30).inodes = {};
  host.at(20).inodes = {200, 300};
  host.fd_reads.clear();
  ResolveStats second;
  const auto likely_10 = std::vector<int>{10};
  const auto owners = resolver.Resolve(Inodes({300, 900}), second, likely_10);
  EXPECT_EQ(owners.Find(300)->pid, 20);
  EXPECT_EQ(owners.Find(900)->pid, 1);
  EXPECT_EQ(second.cache_hits, 1);  // 900: pid 1's stamp is unchanged
  EXPECT_EQ(host.fd_reads, (std::vector<int>{1, 10, 20}));
}

TEST(ProcessResolverLogicTest, StopsOnceEveryInodeIsFoundAndCountsHolders) {
  FakeProcesses host;
  host.Add(10, "master", {100, 101});
  host.Add(11, "sibling", {100});
  host.Add(12, "late", {102});
  auto resolver = PidByPid(host);
  ResolveStats stats;
  const auto owners = resolver.Resolve(Inodes({100, 101}), stats);
  EXPECT_EQ(host.fd_reads, (std::vector<int>{10}));
  EXPECT_EQ(owners.Find(100)->holder_count, 1);  // the sibling was never read
  EXPECT_EQ(stats.processes_scanned, 1);
  EXPECT_EQ(stats.fds_read, 3);

  ResolveStats all;
  auto resolver2 = PidByPid(host);
  const auto everyone = resolver2.Resolve(Inodes({100, 777}), all);  // 777: nobody
  EXPECT_EQ(everyone.Find(100)->holder_count, 2);
  EXPECT_EQ(all.unattributed, 1);
}

TEST(ProcessResolverLogicTest, WarmCycleChecksStampsOnlyAndRescansWhenTheyChange) {
  FakeProcesses host;
  host.Add(10, "sshd", {100});
  host.Add(20, "other", {});
  auto resolver = PidByPid(host);
  ResolveStats cold;
  resolver.Resolve(Inodes({100}), cold);
  host.fd_reads.clear();
  ResolveStats warm;
  EXPECT_EQ(resolver.Resolve(Inodes({100}), warm).Find(100)->comm, "sshd");
  EXPECT_TRUE(host.fd_reads.empty());
  EXPECT_EQ(host.stamp_reads, (std::vector<int>{10}));
  EXPECT_EQ(warm.cache_hits, 1);

  // Same pid, another process (start time): the cache is dropped and the walk finds it anew.
  host.at(10).start_time = 99;
  host.at(10).comm = "imposter";
  ResolveStats reused;
  EXPECT_EQ(resolver.Resolve(Inodes({100}), reused).Find(100)->comm, "imposter");
  EXPECT_EQ(reused.cache_hits, 0);
  EXPECT_FALSE(host.fd_reads.empty());
}

TEST(ProcessResolverLogicTest, UnattributableInodesAreRetriedEveryTenthCall) {
  FakeProcesses host;
  host.Add(10, "a", {});
  auto resolver = PidByPid(host);
  int walks = 0;
  for (int call = 1; call <= 20; ++call) {
    host.list_calls = 0;
    ResolveStats stats;
    resolver.Resolve(Inodes({77}), stats);
    walks += host.list_calls;
    EXPECT_EQ(stats.unattributed, 1);
  }
  EXPECT_EQ(walks, 3);  // the first call, the 10th and the 20th
}

TEST(ProcessResolverLogicTest, SocketMovesToTheTopMostHolderBelowInit) {
  FakeProcesses host;
  host.Add(1, "systemd", {400}, 0);
  host.Add(50, "sshd", {400}, 1);        // handed its socket by PID 1: stays with sshd
  host.Add(150, "worker2", {300}, 200);  // a worker's worker, lowest pid
  host.Add(200, "worker1", {300}, 300);
  host.Add(300, "master", {300}, 1);
  auto resolver = PidByPid(host);
  ResolveStats stats;
  const auto owners = resolver.Resolve(Inodes({300, 400}), stats);
  EXPECT_EQ(owners.Find(300)->pid, 300);
  EXPECT_EQ(owners.Find(300)->comm, "master");
  EXPECT_GE(owners.Find(300)->holder_count, 2);
  EXPECT_EQ(owners.Find(400)->pid, 50);
  ResolveStats warm;  // the cache keeps the master
  EXPECT_EQ(resolver.Resolve(Inodes({300, 400}), warm).Find(300)->pid, 300);
  EXPECT_EQ(warm.cache_hits, 2);
}

TEST(ProcessResolverLogicTest, OnePassWalkClaimsInTheSameOrderAsThePidByPidWalk) {
  FakeProcesses host;
  host.Add(1, "systemd", {100});
  host.Add(10, "a", {100, 200});
  host.Add(20, "b", {200, 300});
  host.Add(30, "c", {300});
  const auto likely = std::vector<int>{20};
  WithWalker bpf(host);
  ResolveStats stats;
  const auto owners = bpf.resolver.Resolve(Inodes({100, 200, 300}), stats, likely);
  EXPECT_STREQ(stats.walk, "bpf");
  EXPECT_TRUE(bpf.resolver.BpfReady());
  EXPECT_TRUE(host.fd_reads.empty());  // no previous owners; the pass served every claim
  auto procfs = PidByPid(host);
  ResolveStats by_pid;
  const auto expected = procfs.Resolve(Inodes({100, 200, 300}), by_pid, likely);
  for (const std::uint64_t inode : {100, 200, 300}) {
    EXPECT_EQ(owners.Find(inode)->pid, expected.Find(inode)->pid) << inode;
    EXPECT_EQ(owners.Find(inode)->holder_count, expected.Find(inode)->holder_count) << inode;
  }
  EXPECT_EQ(owners.Find(200)->pid, 20);  // the likely pid first
  EXPECT_EQ(owners.Find(100)->pid, 10);  // PID 1 last
}

TEST(ProcessResolverLogicTest, FailedLoadFallsBackToProcAndIsNotRetried) {
  FakeProcesses host;
  host.Add(10, "a", {100});
  WithWalker bpf(host, /*load_fails=*/true);
  for (int call = 0; call < 3; ++call) {  // a new process with a new socket each call
    const auto inode = static_cast<std::uint64_t>(200 + call);
    host.Add(20 + call, "new", {inode});
    ResolveStats stats;
    EXPECT_EQ(bpf.resolver.Resolve(Inodes({100, inode}), stats).Find(inode)->pid, 20 + call);
    EXPECT_STREQ(stats.walk, "procfs");
  }
  EXPECT_EQ(bpf.loads, 1);
  EXPECT_FALSE(bpf.resolver.BpfReady());
  EXPECT_EQ(bpf.resolver.BpfUnavailable().code, EPERM);
  EXPECT_EQ(bpf.resolver.BpfUnavailable().message, "bpf: no CAP_BPF");
}

TEST(ProcessResolverLogicTest, FailedWalkFallsBackForThisScanAndIsRetried) {
  FakeProcesses host;
  host.Add(10, "a", {100});
  host.Add(20, "b", {200});
  WithWalker bpf(host);
  ResolveStats loaded;
  bpf.resolver.Resolve(Inodes({100}), loaded);
  ASSERT_NE(bpf.walker, nullptr);
  bpf.walker->set_fail(true);
  ResolveStats failed;
  EXPECT_EQ(bpf.resolver.Resolve(Inodes({100, 200}), failed).Find(200)->pid, 20);
  EXPECT_STREQ(failed.walk, "procfs");
  EXPECT_EQ(bpf.resolver.BpfUnavailable().message, "fake walk failure");
  bpf.walker->set_fail(false);
  host.Add(30, "c", {300});
  ResolveStats again;
  EXPECT_EQ(bpf.resolver.Resolve(Inodes({100, 200, 300}), again).Find(300)->pid, 30);
  EXPECT_STREQ(again.walk, "bpf");
  EXPECT_EQ(bpf.loads, 1);
}

TEST(ProcessResolverLogicTest, PrefetchedWalkIsUsedThenCompletedByASecondWalk) {
  FakeProcesses host;
  host.Add(10, "a", {100});
  WithWalker bpf(host);
  // Load the walker first so the prefetch snapshot can be frozen before the test changes
  // anything (the prefetch walks on a helper thread).
  ResolveStats load;
  bpf.resolver.Resolve(Inodes({100}), load);
  ASSERT_NE(bpf.walker, nullptr);
  host.Add(20, "b", {200});
  bpf.walker->Freeze();  // the prefetch sees 100 and 200
  const int before = bpf.walker->walks();
  bpf.resolver.PrefetchWalk();
  host.Add(30, "c", {300});  // opened after the prefetch
  ResolveStats stats;
  const auto owners = bpf.resolver.Resolve(Inodes({100, 200, 300}), stats);
  EXPECT_EQ(owners.Find(200)->pid, 20);
  EXPECT_EQ(owners.Find(300)->pid, 30);
  EXPECT_EQ(bpf.walker->walks() - before, 2);  // the prefetched one, then a fresh one
  EXPECT_EQ(stats.cache_hits, 1);
}

TEST(ProcessResolverLogicTest, UnneededPrefetchIsDiscarded) {
  FakeProcesses host;
  host.Add(10, "a", {100});
  WithWalker bpf(host);
  ResolveStats cold;
  bpf.resolver.Resolve(Inodes({100}), cold);
  ASSERT_NE(bpf.walker, nullptr);
  bpf.walker->Freeze();
  bpf.resolver.PrefetchWalk();
  ResolveStats warm;  // answered from the cache: the prefetched walk is waited for, dropped
  EXPECT_EQ(bpf.resolver.Resolve(Inodes({100}), warm).Find(100)->pid, 10);
  EXPECT_EQ(warm.cache_hits, 1);
  EXPECT_STREQ(warm.walk, "");
}

}  // namespace
}  // namespace portwarden::inventory
