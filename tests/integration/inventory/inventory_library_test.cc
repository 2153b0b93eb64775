// The inventory library against real sockets and namespaces: a namespace that vanishes
// between discovery and entry, more listeners than the series cap, and a /proc tree whose
// entries cannot be read, and the BPF fd walk against /proc and against the procfs walk.
// Needs root for unshare(1); skips otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "agent/inventory/bpf_fd_walker.h"
#include "agent/inventory/inventory.h"
#include "agent/inventory/netns_registry.h"
#include "exporters/prometheus/metric_groups.h"
#include "exporters/prometheus/snapshot_collectable.h"
#include "tests/lib/privilege.h"

namespace portwarden::inventory {
namespace {

int OpenListener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(fd, 1);
  return fd;
}

// Starts `unshare -n sleep 30` and waits until it is in its own namespace.
pid_t StartNamespaceHolder() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("unshare", "unshare", "-n", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }

  struct stat own {};

  ::stat("/proc/self/ns/net", &own);
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  for (int i = 0; i < 1000; ++i) {  // up to 10 s on a loaded machine

    struct stat st {};

    if (::stat(path.c_str(), &st) == 0 && st.st_ino != own.st_ino) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pid;
}

class InventoryLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      PORTWARDEN_SKIP_UNPRIVILEGED("needs root");
    }
  }
};

TEST_F(InventoryLibraryTest, NamespaceVanishingBeforeEntryIsSkippedNotFatal) {
  const pid_t holder = StartNamespaceHolder();
  NetnsRegistry registry("/proc", "/run/netns", true);
  const auto candidates = registry.Discover();
  const std::string holder_path = "/proc/" + std::to_string(holder) + "/ns/net";
  const bool listed = std::any_of(candidates.begin(), candidates.end(),
                                  [&](const auto& c) { return c.path == holder_path; });
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  ASSERT_TRUE(listed);
  const auto stats = registry.Sync(candidates);
  EXPECT_GE(stats.vanished, 1);
  // Namespaces() returns a fresh vector: iterate one copy, not two temporaries.
  const auto namespaces = registry.Namespaces();
  ASSERT_FALSE(namespaces.empty());
  EXPECT_EQ(namespaces.front()->id.label, "host");
  const bool opened = std::any_of(namespaces.begin(), namespaces.end(),
                                  [&](Netns* n) { return n->id.path == holder_path; });
  EXPECT_FALSE(opened);
}

TEST_F(InventoryLibraryTest, NamespaceSocketIsDroppedWhenNamespaceGoes) {
  const pid_t holder = StartNamespaceHolder();
  NetnsRegistry registry("/proc", "/run/netns", true);
  registry.Sync(registry.Discover());
  const std::string holder_path = "/proc/" + std::to_string(holder) + "/ns/net";
  const auto has_holder = [&] {
    const auto all = registry.Namespaces();
    return std::any_of(all.begin(), all.end(), [&](Netns* n) { return n->id.path == holder_path; });
  };
  EXPECT_TRUE(has_holder());
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  const auto stats = registry.Sync(registry.Discover());
  EXPECT_GE(stats.dropped, 1);
  EXPECT_FALSE(has_holder());
}

TEST_F(InventoryLibraryTest, MoreListenersThanTheCapAreCountedAndDropped) {
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) {
    fds.push_back(OpenListener());
  }
  auto config = config::Defaults();
  config.discovery.namespaces = config::NamespaceMode::kHost;
  config.inventory.max_listener_series = 2;
  Inventory inventory(InventorySettingsFrom(config));
  auto report = std::make_shared<InventoryReport>(inventory.Scan());
  const auto second = inventory.Scan();
  for (const int fd : fds) {
    ::close(fd);
  }
  ASSERT_TRUE(report->success) << report->error;
  ASSERT_GE(report->listeners.size(), 5U);
  EXPECT_EQ(report->stats.series_dropped, report->listeners.size() - 2);
  EXPECT_EQ(report->stats.series_dropped_total, report->stats.series_dropped);
  state::Snapshot snapshot;
  snapshot.inventory = report;
  exporters::prom::Families families;
  exporters::prom::AppendListenerMetrics(snapshot, families);
  for (const auto& family : families) {
    if (family.name == "portwarden_listener_info") {
      EXPECT_EQ(family.metric.size(), 2U);
    }
  }
  EXPECT_EQ(second.stats.series_dropped_total,
            report->stats.series_dropped + second.stats.series_dropped);  // a counter
}

// 600 sockets take the cold path's two threads (fd walk and merge); the second scan is the
// warm, single-threaded one. Both must list and attribute the same listeners.
TEST_F(InventoryLibraryTest, ColdScanOfManySocketsMatchesWarmScan) {
  std::vector<int> fds;
  for (int i = 0; i < 600; ++i) {
    fds.push_back(OpenListener());
  }
  auto config = config::Defaults();
  config.discovery.namespaces = config::NamespaceMode::kHost;
  Inventory inventory(InventorySettingsFrom(config));
  const auto cold = inventory.Scan();
  const auto warm = inventory.Scan();
  for (const int fd : fds) {
    ::close(fd);
  }
  ASSERT_TRUE(cold.success) << cold.error;
  // Only this process's listeners: other tests may open and close sockets meanwhile.
  const auto own = [](const InventoryReport& report) {
    std::vector<const Listener*> mine;
    for (const auto& listener : report.listeners) {
      if (listener.process.pid == ::getpid()) {
        mine.push_back(&listener);
      }
    }
    return mine;
  };
  const auto a = own(cold);
  const auto b = own(warm);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_GE(a.size(), 600U);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->address, b[i]->address);
    EXPECT_EQ(a[i]->port, b[i]->port);
    EXPECT_EQ(a[i]->scope, b[i]->scope);
    EXPECT_EQ(a[i]->inodes, b[i]->inodes);
    EXPECT_EQ(a[i]->process.holder_count, b[i]->process.holder_count);
  }
}

// Socket inodes this process holds, from readlink of /proc/self/fd (what ss -p reads).
std::vector<std::uint64_t> OwnSocketInodesFromProc() {
  std::vector<std::uint64_t> inodes;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (!ec && target.starts_with("socket:[")) {
      inodes.push_back(std::stoull(target.substr(8)));
    }
  }
  std::sort(inodes.begin(), inodes.end());
  return inodes;
}

bool BpfExpected() {
  struct stat pid_ns {};

  return ::stat("/proc/self/ns/pid", &pid_ns) == 0 && pid_ns.st_ino == 0xEFFFFFFCU &&
         ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

TEST_F(InventoryLibraryTest, BpfWalkListsExactlyTheSocketsProcReports) {
  if (!BpfExpected()) {
    GTEST_SKIP() << "no kernel BTF or not in the initial pid namespace";
  }
  std::vector<int> fds{OpenListener(), ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                       ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  fds.push_back(::dup(fds.front()));  // one socket, two fds: listed per fd
  auto walker = BpfFdWalker::Create();
  ASSERT_TRUE(walker.has_value()) << walker.error().message;
  const auto tables = (*walker)->Walk();
  const auto expected = OwnSocketInodesFromProc();
  for (const int fd : fds) {
    ::close(fd);
  }
  ASSERT_TRUE(tables.has_value()) << tables.error().message;
  ASSERT_TRUE(std::is_sorted(tables->begin(), tables->end(),
                             [](const auto& a, const auto& b) { return a.pid < b.pid; }));
  const auto own = std::find_if(tables->begin(), tables->end(),
                                [](const auto& table) { return table.pid == ::getpid(); });
  ASSERT_NE(own, tables->end());
  auto got = own->inodes;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
  EXPECT_GE(got.size(), 4U);
}

TEST_F(InventoryLibraryTest, BpfAndProcfsWalksAttributeAlike) {
  if (!BpfExpected()) {
    GTEST_SKIP() << "no kernel BTF or not in the initial pid namespace";
  }
  std::vector<int> fds;
  for (int i = 0; i < 600; ++i) {
    fds.push_back(OpenListener());
  }
  // A child inherits every listener (holder_count 2) and opens two of its own.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    OpenListener();
    OpenListener();
    if (::write(ready[1], "x", 1) != 1) {
      ::_exit(1);
    }
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  auto config = config::Defaults();
  config.discovery.namespaces = config::NamespaceMode::kHost;
  Inventory bpf_inventory(InventorySettingsFrom(config));
  const auto bpf = bpf_inventory.Scan();
  config.inventory.process_walk = config::ProcessWalk::kProcfs;
  Inventory procfs_inventory(InventorySettingsFrom(config));
  const auto procfs = procfs_inventory.Scan();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  for (const int fd : fds) {
    ::close(fd);
  }
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_TRUE(bpf.success && procfs.success);
  EXPECT_EQ(bpf.stats.process_walk, "bpf");
  EXPECT_TRUE(bpf.stats.bpf_walk_ready);
  EXPECT_EQ(procfs.stats.process_walk, "procfs");
  EXPECT_FALSE(procfs.stats.bpf_walk_ready);
  // Compare the test's own listeners (other processes on the host may come and go).
  const auto ours = [&](const Listener& l) {
    return l.process.pid == ::getpid() || l.process.pid == child;
  };
  std::vector<const Listener*> a;
  std::vector<const Listener*> b;
  for (const auto& l : bpf.listeners) {
    if (ours(l))
      a.push_back(&l);
  }
  for (const auto& l : procfs.listeners) {
    if (ours(l))
      b.push_back(&l);
  }
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), 602U);
  int shared = 0;
  int child_own = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]->port, b[i]->port);
    EXPECT_EQ(a[i]->inodes, b[i]->inodes);
    EXPECT_EQ(a[i]->process.pid, b[i]->process.pid);
    EXPECT_EQ(a[i]->process.comm, b[i]->process.comm);
    EXPECT_EQ(a[i]->process.exe, b[i]->process.exe);
    shared += a[i]->process.holder_count == 2 ? 1 : 0;
    child_own += a[i]->process.pid == child ? 1 : 0;
  }
  EXPECT_EQ(child_own, 2);
  EXPECT_GE(shared, 1);  // the walk stops once all are found, so counts can be partial
}

TEST_F(InventoryLibraryTest, UnreadableProcMarksAttributionPartial) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("pw_badproc_" + std::to_string(::getpid()));
  fs::create_directories(root / "1");
  { std::ofstream(root / "1" / "fd") << ""; }  // not a directory
  const int fd = OpenListener();
  auto config = config::Defaults();
  config.discovery.namespaces = config::NamespaceMode::kHost;
  config.inventory.proc_path = root.string();
  Inventory inventory(InventorySettingsFrom(config));
  const auto report = inventory.Scan();
  ::close(fd);
  fs::remove_all(root);
  ASSERT_TRUE(report.success) << report.error;
  EXPECT_TRUE(report.stats.attribution_partial);
  EXPECT_GE(report.stats.unattributed_sockets, 1);
  EXPECT_GE(report.stats.proc_read_errors, 1);
  for (const auto& listener : report.listeners) {
    EXPECT_EQ(listener.process.pid, 0);
  }
}

}  // namespace
}  // namespace portwarden::inventory
