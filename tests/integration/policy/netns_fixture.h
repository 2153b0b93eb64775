#pragma once

// Real listeners inside a private network namespace the test creates, so 443 and 8443 never
// collide with the host and nothing leaves the machine. Needs root (CAP_SYS_ADMIN).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "agent/inventory/inventory.h"
#include "agent/policy/policy.h"
#include "tests/lib/privilege.h"

namespace portwarden::policy::testing_support {

/// A listening socket owned by the test process; closed on destruction.
class Listening {
 public:
  Listening() = default;

  Listening(int fd, std::uint16_t port) : fd_(fd), port_(port) {}

  Listening(Listening&& other) noexcept : fd_(other.fd_), port_(other.port_) { other.fd_ = -1; }

  Listening& operator=(Listening&&) = delete;

  ~Listening() { Close(); }

  void Close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  bool ok() const { return fd_ >= 0; }

  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// Binds and listens on TCP address:port (port 0 = chosen by the kernel). For an IPv6
/// address, `v6only` sets IPV6_V6ONLY. Returns a closed Listening on failure.
inline Listening ListenTcp(const std::string& address, std::uint16_t port, bool v6only = true) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const bool v6 = address.find(':') != std::string::npos;
  if (v6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, address.c_str(), &sin6->sin6_addr);
    length = sizeof *sin6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &sin->sin_addr);
    length = sizeof *sin;
  }
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  const int v6only_value = v6only ? 1 : 0;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (v6) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only_value, sizeof v6only_value);
  }
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      ::listen(fd, 16) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    return {};
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  const std::uint16_t bound = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port)
                                 : ntohs(reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return {fd, bound};
}

/// A child process named `name` (its comm) holding a TCP listener; killed and reaped on
/// destruction. Lets a rule match one process and not another.
class ChildListener {
 public:
  ChildListener(const char* name, const std::string& address, std::uint16_t port) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) {
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      ::prctl(PR_SET_NAME, name);
      Listening listening = ListenTcp(address, port);
      const char ok = listening.ok() ? 'y' : 'n';
      if (::write(ready[1], &ok, 1) != 1) {
        ::_exit(1);
      }
      for (;;) {
        ::pause();
      }
    }
    ::close(ready[1]);
    char ok = 'n';
    ready_ = pid_ > 0 && ::read(ready[0], &ok, 1) == 1 && ok == 'y';
    ::close(ready[0]);
  }

  ChildListener(const ChildListener&) = delete;
  ChildListener& operator=(const ChildListener&) = delete;

  ~ChildListener() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

/// Runs a shell command (in the test's namespace); true when it exits 0.
inline bool Sh(const std::string& command) {
  return std::system(command.c_str()) == 0;
}

/// Each test runs in a fresh network namespace with lo up and a veth pair pw0/pw1 (both ends
/// inside the namespace). The namespace disappears with the test's sockets and processes.
class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) {
      PORTWARDEN_SKIP_UNPRIVILEGED("needs root to create a network namespace");
    }
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    ASSERT_TRUE(
        Sh("ip link set lo up && ip link add pw0 type veth peer name pw1 && "
           "ip link set pw0 up && ip link set pw1 up"));
  }

  static void AddAddress(const std::string& cidr) {
    ASSERT_TRUE(Sh("ip addr add " + cidr + " dev pw0")) << cidr;
  }
};

/// One inventory scan plus policy evaluation, as the agent's inventory job does it.
struct ScanResult {
  inventory::InventoryReport inventory;
  PolicyReport policy;

  /// Index of the TCP listener on address:port, or nullopt.
  std::optional<std::size_t> Find(const std::string& address, std::uint16_t port) const {
    for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
      const auto& l = inventory.listeners[i];
      if (l.protocol == Protocol::kTcp && l.address == address && l.port == port) {
        return i;
      }
    }
    return std::nullopt;
  }
};

/// Loads `toml` (scanning only the test's own namespace) and runs one scan through `engine`.
inline ScanResult ScanWith(const std::string& toml, PolicyEngine& engine) {
  auto config = config::LoadString("[discovery]\nnamespaces = \"host\"\n" + toml, "test.toml");
  EXPECT_TRUE(config) << config.error().message;
  inventory::Inventory inventory(inventory::InventorySettingsFrom(*config));
  ScanResult result;
  result.inventory = inventory.Scan();
  EXPECT_TRUE(result.inventory.success) << result.inventory.error;
  result.policy = engine.Evaluate(result.inventory, policy::PolicySettingsFrom(*config),
                                  std::chrono::system_clock::now());
  return result;
}

}  // namespace portwarden::policy::testing_support
