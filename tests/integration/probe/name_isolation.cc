#include "tests/integration/probe/name_isolation.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/probe/tls_fixture.h"

namespace portwarden::testing {
namespace {

using std::chrono::steady_clock;

double SecondsSince(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

/// A UDP socket bound to ip:53, or -1.
int BindDns(const std::string& ip) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(53);
  ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    return fd;
  }
  if (fd >= 0) {
    ::close(fd);
  }
  return -1;
}

/// Forks and execs argv with stdout and stderr on `out_fd`; the child dies with the test.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    ExecOrExit(argv);
  }
  return pid;
}

/// Waits for `pid` up to `limit`, then kills it; returns its wait status.
int Reap(pid_t pid, double limit, steady_clock::time_point start) {
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (SecondsSince(start) > limit) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status;
}

}  // namespace

SilentDnsServer::SilentDnsServer() {
  for (const char* ip : {"127.53.53.53", "127.53.53.54", "127.0.0.53", "127.0.0.1"}) {
    fd_ = BindDns(ip);
    if (fd_ >= 0) {
      ip_ = ip;
      return;
    }
  }
}

SilentDnsServer::~SilentDnsServer() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

int SilentDnsServer::QueriesReceived() {
  char datagram[512];
  while (fd_ >= 0 && ::recv(fd_, datagram, sizeof(datagram), MSG_DONTWAIT) >= 0) {
    ++queries_;
  }
  return queries_;
}

NameIsolation::NameIsolation(const std::string& hosts, const std::string& resolv_conf) {
  std::ofstream(dir_.path() + "/hosts") << hosts;
  std::ofstream(dir_.path() + "/resolv.conf") << resolv_conf;
}

bool NameIsolation::Available() {
  static const bool available = [] {
    if (::geteuid() != 0) {
      return false;
    }
    const NameIsolation probe("127.0.0.1 localhost\n", "nameserver 127.0.0.1\n");
    std::vector<std::string> argv = probe.Wrap({"true"});
    return RunCommand(argv, std::chrono::seconds(10)).exit_code == 0;
  }();
  return available;
}

std::vector<std::string> NameIsolation::Wrap(const std::vector<std::string>& command) const {
  std::vector<std::string> argv{"unshare",
                                "--mount",
                                "--propagation",
                                "private",
                                "sh",
                                "-c",
                                "mount --bind " + dir_.path() +
                                    "/hosts /etc/hosts && mount --bind " + dir_.path() +
                                    "/resolv.conf /etc/resolv.conf && exec \"$@\"",
                                "sh"};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::string NameIsolation::ResolvConfFor(const std::string& ip) {
  return "nameserver " + ip + "\noptions timeout:30 attempts:1\n";
}

CommandRun RunCommand(const std::vector<std::string>& argv, std::chrono::seconds limit) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const auto start = steady_clock::now();
  const pid_t pid = Spawn(argv, fds[1]);
  ::close(fds[1]);
  CommandRun run;
  pollfd item{fds[0], POLLIN, 0};
  while (SecondsSince(start) < static_cast<double>(limit.count()) && ::poll(&item, 1, 100) >= 0) {
    char chunk[4096];
    if ((item.revents & (POLLIN | POLLHUP)) == 0) {
      continue;
    }
    const ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) {
      break;
    }
    run.output.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  const int status = Reap(pid, static_cast<double>(limit.count()), start);
  run.seconds = SecondsSince(start);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

AgentDaemon::AgentDaemon(const std::string& toml, const NameIsolation* isolation)
    : web_port_(ClosedPort()) {
  std::ofstream(dir_.path() + "/agent.toml") << toml;
  std::vector<std::string> command{PORTWARDEN_BINARY,
                                   "--config.file=" + dir_.path() + "/agent.toml",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(web_port_)};
  if (isolation != nullptr) {
    command = isolation->Wrap(command);
  }
  const int log =
      ::open((dir_.path() + "/agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_ = Spawn(command, log);
  ::close(log);
}

AgentDaemon::~AgentDaemon() {
  if (pid_ > 0) {
    Stop();
  }
}

std::string AgentDaemon::Scrape() const {
  return Shell("curl -s --max-time 5 http://127.0.0.1:" + std::to_string(web_port_) +
               "/metrics || true");
}

std::string AgentDaemon::MetricsOnceProbed(const std::vector<std::string>& targets,
                                           std::chrono::seconds limit) const {
  const auto start = steady_clock::now();
  std::string page;
  auto all_probed = [&] {
    for (const auto& target : targets) {
      if (SeriesOf(page, "portwarden_tls_probe_timestamp_seconds", target).empty()) {
        return false;
      }
    }
    return true;
  };
  while (SecondsSince(start) < static_cast<double>(limit.count())) {
    page = Scrape();
    if (all_probed()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return page;
}

double AgentDaemon::Stop() {
  if (pid_ <= 0) {
    return 0;
  }
  const auto start = steady_clock::now();
  ::kill(pid_, SIGTERM);
  Reap(pid_, 10.0, start);
  pid_ = -1;
  return SecondsSince(start);
}

std::string AgentDaemon::Log() const {
  std::stringstream log;
  log << std::ifstream(dir_.path() + "/agent.log").rdbuf();
  return log.str();
}

std::vector<std::string> SeriesOf(const std::string& page,
                                  const std::string& metric,
                                  const std::string& target) {
  const std::string prefix = metric + "{target=\"" + target + "\"";
  std::vector<std::string> lines;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(prefix)) {
      lines.push_back(line);
    }
  }
  return lines;
}

std::string LabelOf(const std::string& line, const std::string& label) {
  for (const char before : {'{', ','}) {
    const std::string key = std::string(1, before) + label + "=\"";
    const auto at = line.find(key);
    if (at != std::string::npos) {
      const auto begin = at + key.size();
      return line.substr(begin, line.find('"', begin) - begin);
    }
  }
  return "";
}

double ValueOf(const std::string& line) {
  return std::stod(line.substr(line.rfind(' ') + 1));
}

}  // namespace portwarden::testing
