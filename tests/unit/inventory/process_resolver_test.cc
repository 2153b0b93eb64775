#include "agent/inventory/process_resolver.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/inventory/proc_text.h"
#include "agent/inventory/procfs_fd_walker.h"

namespace portwarden::inventory {
namespace {

namespace fs = std::filesystem;

std::string StatLine(int pid, const std::string& comm, unsigned long long start, int ppid = 4) {
  std::string line = std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid);
  for (int field = 5; field < 22; ++field) {
    line += " " + std::to_string(field);
  }
  return line + " " + std::to_string(start) + " 0 0\n";
}

// A fake /proc tree (mock: the hostile states cannot be produced on demand in the real one).
class FixtureProc {
 public:
  FixtureProc() {
    root_ = fs::temp_directory_path() / ("pw_proc_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }

  ~FixtureProc() { fs::remove_all(root_); }

  void AddProcess(int pid,
                  const std::string& comm,
                  unsigned long long start,
                  const std::vector<std::string>& links,
                  const std::string& cgroup = "0::/system.slice/" + std::string("x.service"),
                  int ppid = 4) {
    const auto dir = root_ / std::to_string(pid);
    fs::create_directories(dir / "fd");
    Write(dir / "stat", StatLine(pid, comm, start, ppid));
    Write(dir / "comm", comm + "\n");
    Write(dir / "cgroup", cgroup);
    fs::create_symlink("/usr/sbin/" + comm, dir / "exe");
    for (std::size_t i = 0; i < links.size(); ++i) {
      fs::create_symlink(links[i], dir / "fd" / std::to_string(i));
    }
  }

  static void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

TEST(ProcessResolverTest, AttributesFromFixtureTreeAndCountsHostileEntries) {
  FixtureProc proc;
  proc.AddProcess(100, "nginx", 555, {"/dev/null", "socket:[1001]", "socket:[1002]"},
                  "0::/system.slice/nginx.service\n");
  proc.AddProcess(101, "nginx", 556, {"socket:[1001]", "pipe:[7]"});
  // 200: fd is not a directory (unreadable); 300: exited, only stat is left.
  fs::create_directories(proc.root() / "200");
  FixtureProc::Write(proc.root() / "200" / "fd", "");
  fs::create_directories(proc.root() / "300");
  FixtureProc::Write(proc.root() / "300" / "stat", StatLine(300, "gone", 1));

  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc.root().string()));
  ResolveStats stats;
  const std::vector<std::uint64_t> inodes{1001, 1002, 9999};
  const auto owners = resolver.Resolve(inodes, stats);
  const auto first = owners.Find(1001);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(owners.Find(1002).has_value());
  EXPECT_FALSE(owners.Find(9999).has_value());
  EXPECT_EQ(first->pid, 100);
  EXPECT_EQ(first->comm, "nginx");
  EXPECT_EQ(first->exe, "/usr/sbin/nginx");
  EXPECT_EQ(first->unit, "nginx.service");
  EXPECT_EQ(first->holder_count, 2);  // pid 101 shares it
  EXPECT_EQ(owners.Find(1002)->holder_count, 1);
  EXPECT_EQ(stats.unattributed, 1);
  EXPECT_EQ(stats.proc_errors, 1);
  EXPECT_EQ(stats.processes_vanished, 1);
}

TEST(ProcessResolverTest, OwnerIsTheTopMostHolderNotTheLowestPid) {
  // A pre-forking master (pid 300) whose worker got a lower pid after a wrap (200), a
  // grandchild worker (150) of that worker; and a service (60) handed its socket by PID 1.
  FixtureProc proc;
  const std::string nginx = "0::/system.slice/nginx.service\n";
  proc.AddProcess(150, "nginx", 9, {"socket:[3001]"}, nginx, 200);
  proc.AddProcess(200, "nginx", 8, {"socket:[3001]"}, nginx, 300);
  proc.AddProcess(300, "nginx", 7, {"/dev/null", "socket:[3001]"}, nginx, 1);
  proc.AddProcess(1, "systemd", 1, {"socket:[4001]"}, "0::/init.scope\n", 0);
  proc.AddProcess(60, "sshd", 5, {"socket:[4001]"}, "0::/system.slice/ssh.service\n", 1);
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc.root().string()));
  ResolveStats stats;
  const std::vector<std::uint64_t> inodes{3001, 4001};
  const auto owners = resolver.Resolve(inodes, stats);
  ASSERT_TRUE(owners.Find(3001).has_value());
  EXPECT_EQ(owners.Find(3001)->pid, 300);
  EXPECT_EQ(owners.Find(3001)->comm, "nginx");
  EXPECT_GE(owners.Find(3001)->holder_count, 2);
  EXPECT_EQ(owners.Find(4001)->pid, 60);
  EXPECT_EQ(owners.Find(4001)->unit, "ssh.service");
  EXPECT_EQ(ParentPidFromStat(StatLine(7, "a) (b", 1, 42)), 42);
  EXPECT_EQ(ParentPidFromStat("garbage"), 0);
  ResolveStats warm;  // the cache keeps the master
  EXPECT_EQ(resolver.Resolve(inodes, warm).Find(3001)->pid, 300);
}

TEST(ProcessResolverTest, WarmCycleRevalidatesWithoutScanning) {
  FixtureProc proc;
  proc.AddProcess(100, "sshd", 10, {"socket:[2001]"});
  proc.AddProcess(400, "other", 11, {"/dev/null", "/dev/null"});
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc.root().string()));
  const std::vector<std::uint64_t> inodes{2001};
  ResolveStats cold;
  EXPECT_EQ(resolver.Resolve(inodes, cold).Find(2001)->pid, 100);
  EXPECT_GE(cold.processes_scanned, 1);
  ResolveStats warm;
  EXPECT_EQ(resolver.Resolve(inodes, warm).Find(2001)->pid, 100);
  EXPECT_EQ(warm.processes_scanned, 0);
  EXPECT_EQ(warm.cache_hits, 1);

  // The pid is reused by another process (new start time) that does not hold the socket.
  fs::remove_all(proc.root() / "100");
  proc.AddProcess(100, "imposter", 99, {"/dev/null"});
  proc.AddProcess(500, "sshd", 12, {"socket:[2001]"});
  ResolveStats moved;
  EXPECT_EQ(resolver.Resolve(inodes, moved).Find(2001)->pid, 500);
  EXPECT_EQ(moved.cache_hits, 0);
}

TEST(ProcessResolverTest, UnattributableInodesAreNotRescannedEveryCycle) {
  FixtureProc proc;
  proc.AddProcess(100, "a", 1, {"/dev/null"});
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc.root().string()));
  const std::vector<std::uint64_t> inodes{77};
  ResolveStats first;
  resolver.Resolve(inodes, first);
  EXPECT_EQ(first.processes_scanned, 1);
  ResolveStats second;
  resolver.Resolve(inodes, second);
  EXPECT_EQ(second.processes_scanned, 0);
  EXPECT_EQ(second.unattributed, 1);
}

// Enough wanted inodes for the two-thread fd walk: 40 processes (more than one read-ahead
// batch) holding 20 sockets each, a pre-fork sibling of the first, and hostile entries.
class ParallelWalkTest : public ::testing::Test {
 protected:
  static constexpr int kFirstPid = 100;
  static constexpr int kProcesses = 40;
  static constexpr int kPerProcess = 20;

  void SetUp() override {
    for (int p = 0; p < kProcesses; ++p) {
      std::vector<std::string> links;
      for (int i = 0; i < kPerProcess; ++i) {
        links.push_back("socket:[" + std::to_string(Inode(p, i)) + "]");
      }
      proc_.AddProcess(kFirstPid + p, "w" + std::to_string(p), 1, links);
      for (int i = 0; i < kPerProcess; ++i) {
        inodes_.push_back(Inode(p, i));
      }
    }
    proc_.AddProcess(150, "sibling", 2, {"socket:[" + std::to_string(Inode(0, 0)) + "]"});
    fs::create_directories(proc_.root() / "200");  // fd is not a directory
    FixtureProc::Write(proc_.root() / "200" / "fd", "");
    fs::create_directories(proc_.root() / "300");  // exited: only stat is left
    FixtureProc::Write(proc_.root() / "300" / "stat", StatLine(300, "gone", 1));
  }

  static std::uint64_t Inode(int process, int i) {
    return 10000 + static_cast<std::uint64_t>(process * kPerProcess + i);
  }

  FixtureProc proc_;
  std::vector<std::uint64_t> inodes_;
};

TEST_F(ParallelWalkTest, FullWalkMatchesOneByOneOrder) {
  inodes_.push_back(9999);  // held by nobody: every process is visited
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc_.root().string()));
  ResolveStats stats;
  const auto owners = resolver.Resolve(inodes_, stats);
  for (int p = 0; p < kProcesses; ++p) {
    const auto owner = owners.Find(Inode(p, kPerProcess - 1));
    ASSERT_TRUE(owner.has_value());
    EXPECT_EQ(owner->pid, kFirstPid + p);
    EXPECT_EQ(owner->comm, "w" + std::to_string(p));
  }
  EXPECT_EQ(owners.Find(Inode(0, 0))->pid, kFirstPid);   // the lowest pid owns it
  EXPECT_EQ(owners.Find(Inode(0, 0))->holder_count, 2);  // the sibling is counted
  EXPECT_EQ(stats.processes_scanned, kProcesses + 1);
  EXPECT_EQ(stats.fds_read, kProcesses * kPerProcess + 1);
  EXPECT_EQ(stats.proc_errors, 1);
  EXPECT_EQ(stats.processes_vanished, 1);
  EXPECT_EQ(stats.unattributed, 1);
}

TEST_F(ParallelWalkTest, StopsCountingOnceEveryInodeIsFound) {
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(proc_.root().string()));
  ResolveStats stats;
  const auto owners = resolver.Resolve(inodes_, stats);
  EXPECT_EQ(owners.sockets.size(), inodes_.size());
  EXPECT_EQ(owners.Find(Inode(0, 0))->holder_count, 1);  // the sibling was never visited
  EXPECT_EQ(stats.processes_scanned, kProcesses);
  EXPECT_EQ(stats.fds_read, kProcesses * kPerProcess);
  EXPECT_EQ(stats.unattributed, 0);
}

TEST(ProcessResolverTest, FindsOwnSocketInRealProc) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);

  struct stat st {};

  ASSERT_EQ(::fstat(fd, &st), 0);
  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>("/proc"));
  ResolveStats stats;
  const std::vector<std::uint64_t> inodes{st.st_ino};
  const auto owner = resolver.Resolve(inodes, stats).Find(st.st_ino);
  ::close(fd);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->pid, ::getpid());
  EXPECT_EQ(owner->exe, fs::read_symlink("/proc/self/exe").string());
}

// The fd table is read by probing fd numbers while it is dense, and listed when it has more
// holes than the probe allows: both must find every socket (the real /proc of this process).
TEST(ProcessResolverTest, FindsSocketsAtDenseAndSparseFdsInRealProc) {
  const auto inode_of = [](int fd) {
    struct stat st {};

    return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
  };
  std::vector<int> fds;
  std::vector<std::uint64_t> inodes;
  for (int i = 0; i < 40; ++i) {
    fds.push_back(::socket(AF_INET, SOCK_DGRAM, 0));
    ASSERT_GE(fds.back(), 0);
    inodes.push_back(inode_of(fds.back()));
  }
  const auto all_found = [&](const std::vector<std::uint64_t>& wanted) {
    ProcessResolver resolver(std::make_unique<ProcfsFdWalker>("/proc"));
    ResolveStats stats;
    const auto owners = resolver.Resolve(wanted, stats);
    for (const auto inode : wanted) {
      const auto owner = owners.Find(inode);
      if (!owner || owner->pid != ::getpid()) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(all_found(inodes));                    // dense
  for (std::size_t i = 0; i < fds.size(); i += 2) {  // holes between the sockets
    ::close(fds[i]);
  }
  const int high = ::dup2(fds[1], 900);  // and one far beyond the rest
  ASSERT_EQ(high, 900);
  std::vector<std::uint64_t> sparse;
  for (std::size_t i = 1; i < fds.size(); i += 2) {
    sparse.push_back(inodes[i]);
  }
  ::close(fds[1]);  // inodes[1] is now held at fd 900 only
  EXPECT_TRUE(all_found(sparse));
  ::close(high);
  for (std::size_t i = 3; i < fds.size(); i += 2) {
    ::close(fds[i]);
  }
}

TEST(CgroupTest, UnitsAndContainers) {
  EXPECT_EQ(UnitFromCgroup("0::/system.slice/nginx.service\n"), "nginx.service");
  EXPECT_EQ(UnitFromCgroup("0::/user.slice/user-0.slice/session-3.scope\n"), "session-3.scope");
  const std::string id(64, 'a');
  EXPECT_EQ(UnitFromCgroup("0::/system.slice/docker-" + id + ".scope\n"), id.substr(0, 12));
  EXPECT_EQ(UnitFromCgroup("0::/kubepods/besteffort/pod1/" + id + "\n"), id.substr(0, 12));
  EXPECT_EQ(UnitFromCgroup("12:cpu:/x\n1:name=systemd:/system.slice/cron.service\n"),
            "cron.service");
  EXPECT_EQ(UnitFromCgroup("0::/\n"), "");
  const std::string pod =
      "0::/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod1f2e3d4c_5b6a_4789_8abc_0123456789ab.slice/";
  EXPECT_EQ(UnitFromCgroup(pod + "cri-containerd-" + id + ".scope\n"), id.substr(0, 12));
  EXPECT_EQ(UnitFromCgroup(pod + "crio-" + id + ".scope\n"), id.substr(0, 12));
  EXPECT_EQ(UnitFromCgroup(pod + "\n"), "pod/1f2e3d4c-5b6a-4789-8abc-0123456789ab");
  EXPECT_EQ(UnitFromCgroup("0::/kubepods/besteffort/pod1f2e3d4c-5b6a-4789-8abc-0123456789ab\n"),
            "pod/1f2e3d4c-5b6a-4789-8abc-0123456789ab");
  EXPECT_EQ(UnitFromCgroup("0::/machine.slice/libpod-" + id + ".scope/container\n"),
            id.substr(0, 12));
  EXPECT_EQ(UnitFromCgroup("0::/user.slice/podman.slice/notapod\n"), "");
  EXPECT_EQ(UnitFromCgroup(""), "");
}

TEST(CgroupTest, StartTimeSurvivesParensInComm) {
  EXPECT_EQ(StartTimeFromStat(StatLine(5, "a) (b", 424242)), 424242U);
  EXPECT_EQ(StartTimeFromStat("garbage"), 0U);
}

}  // namespace
}  // namespace portwarden::inventory
