#pragma once

// Name resolution under the tests' control without touching the real /etc files: the agent
// runs inside a private mount namespace (`unshare -m`) where a test-written hosts file and
// resolv.conf are bind-mounted over /etc/hosts and /etc/resolv.conf. A DNS server that never
// answers is a UDP socket the test binds on a loopback address's port 53 and never reads.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/probe/tls_fixture.h"

namespace portwarden::testing {

/// A UDP socket on <loopback ip>:53 that answers nothing. Closed on destruction.
class SilentDnsServer {
 public:
  SilentDnsServer();
  ~SilentDnsServer();
  SilentDnsServer(const SilentDnsServer&) = delete;
  SilentDnsServer& operator=(const SilentDnsServer&) = delete;

  /// Empty when no loopback address's port 53 could be bound.
  const std::string& ip() const { return ip_; }

  /// Datagrams received so far (read and discarded): proof the resolver asked this server.
  int QueriesReceived();

 private:
  int fd_ = -1;
  std::string ip_;
  int queries_ = 0;
};

/// Substitute /etc/hosts and /etc/resolv.conf for commands run through Wrap().
class NameIsolation {
 public:
  NameIsolation(const std::string& hosts, const std::string& resolv_conf);

  /// Whether this machine lets the tests do it (root, `unshare -m` and bind mounts work).
  static bool Available();

  /// argv that runs `command` with the substitute files bind-mounted over the real ones, in a
  /// mount namespace of its own (the bind mounts vanish with the process).
  std::vector<std::string> Wrap(const std::vector<std::string>& command) const;

  /// A resolv.conf naming only `ip`, where one query waits the longest glibc allows (30 s).
  static std::string ResolvConfFor(const std::string& ip);

 private:
  TempDir dir_;
};

/// A finished command: exit status, stdout and stderr merged, wall-clock time.
struct CommandRun {
  int exit_code = -1;
  std::string output;
  double seconds = 0;
};

/// Runs argv to completion (killed after `limit`) and captures its output.
CommandRun RunCommand(const std::vector<std::string>& argv, std::chrono::seconds limit);

/// `portwarden` as a daemon with its config and log in a temporary directory, serving on a
/// loopback port chosen at run time. SIGTERM (then SIGKILL) and reaped on destruction.
class AgentDaemon {
 public:
  /// `toml` is the whole config file; with `isolation` the agent runs under its Wrap().
  explicit AgentDaemon(const std::string& toml, const NameIsolation* isolation = nullptr);
  ~AgentDaemon();
  AgentDaemon(const AgentDaemon&) = delete;
  AgentDaemon& operator=(const AgentDaemon&) = delete;

  /// The /metrics page once it mentions every one of `targets` in
  /// portwarden_tls_probe_timestamp_seconds (or after `limit`, whatever it holds then).
  std::string MetricsOnceProbed(const std::vector<std::string>& targets,
                                std::chrono::seconds limit = std::chrono::seconds(20)) const;

  /// The current /metrics page ("" while the agent is not serving yet).
  std::string Scrape() const;

  /// Sends SIGTERM and waits (up to 10 s); returns the seconds the agent took to exit.
  double Stop();

  /// The agent's log so far.
  std::string Log() const;

  /// The loopback port the agent serves on.
  std::uint16_t web_port() const { return web_port_; }

 private:
  TempDir dir_;
  std::uint16_t web_port_ = 0;
  pid_t pid_ = -1;
};

/// The lines of `metric` for `target` in a Prometheus text page, in page order.
std::vector<std::string> SeriesOf(const std::string& page,
                                  const std::string& metric,
                                  const std::string& target);

/// The value of `label` in one series line ("" when absent).
std::string LabelOf(const std::string& line, const std::string& label);

/// The sample value at the end of a series line.
double ValueOf(const std::string& line);

}  // namespace portwarden::testing
