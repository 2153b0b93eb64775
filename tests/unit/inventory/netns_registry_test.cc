// NetnsRegistry's choice of path and its per-namespace states, with a fake socket-source
// factory (labelled: entering a namespace and its outcomes cannot be produced on demand
// without privileges). The sources replay captured dumps from tests/fixtures/inventory:
// sock_diag bytes through the real parser, /proc/net text through the real
// ProcNetSocketSource.
#include "agent/inventory/netns_registry.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <gtest/gtest.h>

#include "agent/inventory/inet_diag_parser.h"

namespace portwarden::inventory {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> ReadFixture(const std::string& name) {
  std::ifstream in(std::string(PORTWARDEN_INVENTORY_FIXTURES) + "/" + name, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

// Fake (labelled) sock_diag source: replays the captured IPv4 and IPv6 dumps; fails for UDP
// when asked to (a kernel without udp_diag).
class ReplayDiagSource final : public SocketSource {
 public:
  explicit ReplayDiagSource(bool udp_fails) : udp_fails_(udp_fails) {}

  Result<std::vector<RawSocket>> Dump(Protocol protocol) override {
    if (protocol == Protocol::kUdp && udp_fails_) {
      return Fail("inet_diag: request: No such file or directory", ENOENT);
    }
    const std::string name = protocol == Protocol::kTcp ? "tcp" : "udp";
    auto sockets = ParseInetDiagDump(ReadFixture(name + "4.nldump"), protocol);
    auto v6 = ParseInetDiagDump(ReadFixture(name + "6.nldump"), protocol);
    if (!sockets || !v6) {
      return Fail("fixture does not parse", EINVAL);
    }
    sockets->insert(sockets->end(), v6->begin(), v6->end());
    return sockets;
  }

  const char* Mechanism() const override { return "netlink"; }

 private:
  bool udp_fails_;
};

// What entering each namespace (by label) does in the fake.
struct Outcome {
  int error = 0;  ///< 0: entered; else the errno Enter() fails with
  bool udp_diag_fails = false;
};

// Fake (labelled) factory: Enter() per the table; ProcNet() a real ProcNetSocketSource over
// a directory of captured /proc/net text (whatever `net_dir` the candidate names).
class FakeSources final : public SocketSourceFactory {
 public:
  FakeSources(std::map<std::string, Outcome> outcomes, std::string fixture_net_dir)
      : outcomes_(std::move(outcomes)), fixture_net_dir_(std::move(fixture_net_dir)) {}

  Result<EnteredNamespace> Enter(const NetnsCandidate& candidate, bool own) override {
    entered_own_ = entered_own_ || own;
    const auto outcome = outcomes_.at(candidate.label);
    if (outcome.error != 0) {
      return Fail("setns: fake " + std::string(std::strerror(outcome.error)), outcome.error);
    }
    EnteredNamespace entered;
    entered.diag = std::make_unique<ReplayDiagSource>(outcome.udp_diag_fails);
    return entered;
  }

  std::unique_ptr<SocketSource> ProcNet(const std::string& net_dir) override {
    proc_net_dirs_.push_back(net_dir);
    return std::make_unique<ProcNetSocketSource>(fixture_net_dir_);
  }

  bool entered_own_ = false;
  std::vector<std::string> proc_net_dirs_;

 private:
  std::map<std::string, Outcome> outcomes_;
  std::string fixture_net_dir_;
};

// tcp, tcp6, udp, udp6 linked to the captured /proc/net text (no sockstat: read to the end).
class ProcNetFixtureDir {
 public:
  ProcNetFixtureDir()
      : dir_(fs::temp_directory_path() / ("pw_netns_" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const std::string name : {"tcp", "tcp6", "udp", "udp6"}) {
      fs::create_symlink(std::string(PORTWARDEN_INVENTORY_FIXTURES) + "/proc_net_" + name + ".txt",
                         dir_ / name);
    }
  }

  ~ProcNetFixtureDir() { fs::remove_all(dir_); }

  std::string path() const { return dir_.string(); }

 private:
  fs::path dir_;
};

NetnsCandidate Candidate(std::uint64_t inode, const std::string& label, std::string proc_net) {
  return {inode, label, "/nonexistent/" + label, std::move(proc_net), {}};
}

class NetnsRegistryTest : public ::testing::Test {
 protected:
  NetnsRegistryTest()
      : registry_("/nonexistent-proc", "/nonexistent-run-netns", /*all=*/true, MakeSources()) {
    host_ = NetnsRegistry("/proc", "/nonexistent", false).Discover().front();
  }

  std::unique_ptr<SocketSourceFactory> MakeSources() {
    auto sources = std::make_unique<FakeSources>(
        std::map<std::string, Outcome>{{"host", {}},
                                       {"udp-diag-missing", {0, true}},
                                       {"denied", {EPERM}},
                                       {"denied-orphan", {EACCES}},
                                       {"gone", {ENOENT}},
                                       {"broken", {EMFILE}}},
        fixture_.path());
    sources_ = sources.get();
    return sources;
  }

  std::vector<NetnsCandidate> Candidates() const {
    return {host_,
            Candidate(9001, "udp-diag-missing", "/fake-proc/11/net"),
            Candidate(9002, "denied", "/fake-proc/12/net"),
            Candidate(9003, "denied-orphan", ""),
            Candidate(9004, "gone", "/fake-proc/14/net"),
            Candidate(9005, "broken", "/fake-proc/15/net")};
  }

  ProcNetFixtureDir fixture_;
  FakeSources* sources_ = nullptr;
  NetnsRegistry registry_;
  NetnsCandidate host_;
};

TEST_F(NetnsRegistryTest, EachNamespaceGetsItsPathOrItsState) {
  const auto stats = registry_.Sync(Candidates());
  EXPECT_EQ(stats.opened, 3);
  EXPECT_EQ(stats.unreadable, 1);
  EXPECT_EQ(stats.vanished, 1);
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.skipped,
            (std::vector<std::string>{
                "denied-orphan: setns: fake Permission denied (and no member process to read "
                "it through)",
                "gone: setns: fake No such file or directory",
                "broken: setns: fake Too many open files"}));
  EXPECT_TRUE(sources_->entered_own_);  // the host is the agent's own: nothing to enter

  const auto namespaces = registry_.Namespaces();
  ASSERT_EQ(namespaces.size(), 3U);
  EXPECT_EQ(namespaces[0]->id.label, "host");
  EXPECT_EQ(namespaces[1]->id.label, "udp-diag-missing");
  EXPECT_EQ(namespaces[2]->id.label, "denied");
  for (auto* netns : namespaces) {  // dump both protocols, as a scan does
    auto tcp = netns->sockets->Dump(Protocol::kTcp);
    auto udp = netns->sockets->Dump(Protocol::kUdp);
    ASSERT_TRUE(tcp && udp) << netns->id.label;
    EXPECT_FALSE(tcp->empty()) << netns->id.label;
    EXPECT_FALSE(udp->empty()) << netns->id.label;
  }
  // via_netlink, via_proc (netlink entered, UDP from /proc), via_proc (not entered).
  EXPECT_EQ(namespaces[0]->path, NetnsPath::kNetlink);
  EXPECT_FALSE(namespaces[0]->ViaProc());
  EXPECT_EQ(namespaces[1]->path, NetnsPath::kNetlink);
  EXPECT_TRUE(namespaces[1]->ViaProc());
  EXPECT_EQ(namespaces[2]->path, NetnsPath::kProc);
  EXPECT_TRUE(namespaces[2]->ViaProc());
  EXPECT_STREQ(namespaces[2]->sockets->Mechanism(), "proc");
  // The /proc sources read the candidates' own member directories.
  EXPECT_EQ(sources_->proc_net_dirs_,
            (std::vector<std::string>{"/proc/self/net", "/fake-proc/11/net", "/fake-proc/12/net"}));
}

TEST_F(NetnsRegistryTest, LaterSyncsFollowMembersAndDropTheGone) {
  registry_.Sync(Candidates());
  sources_->proc_net_dirs_.clear();
  auto later = Candidates();
  later[1].proc_net_dir = "/fake-proc/21/net";  // its member process changed: new fallback
  later[2].proc_net_dir = "";                   // the last member of a kProc namespace left
  later.resize(3);                              // and the failed ones are gone for good
  const auto stats = registry_.Sync(later);
  EXPECT_EQ(stats.opened, 0);  // kept open, not entered again
  EXPECT_EQ(stats.unreadable, 1);
  EXPECT_EQ(stats.skipped,
            (std::vector<std::string>{"denied: no member process left, cannot enter"}));
  EXPECT_EQ(stats.dropped, 1);  // "denied" was closed
  EXPECT_EQ(sources_->proc_net_dirs_, (std::vector<std::string>{"/fake-proc/21/net"}));
  const auto namespaces = registry_.Namespaces();
  ASSERT_EQ(namespaces.size(), 2U);
  EXPECT_EQ(namespaces[1]->id.proc_net_dir, "/fake-proc/21/net");
}

}  // namespace
}  // namespace portwarden::inventory
