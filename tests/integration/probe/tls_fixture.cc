#include "tests/integration/probe/tls_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace portwarden::testing {
namespace {

std::uint16_t BoundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

int LoopbackListener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(::listen(fd, 16), 0);
  return fd;
}

}  // namespace

TempDir::TempDir() {
  char pattern[] = "/tmp/portwarden-probe-XXXXXX";
  path_ = ::mkdtemp(pattern);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void ExecOrExit(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

std::string Shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (pipe != nullptr && std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    output += buffer;
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  EXPECT_EQ(status, 0) << command << "\n" << output;
  return output;
}

std::string CaDate(std::int64_t unix_seconds) {
  const auto seconds = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%d%H%M%SZ", &parts);
  return buffer;
}

Pki::Pki(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_ + "/newcerts");
  std::ofstream(dir_ + "/index.txt").close();
  std::ofstream(dir_ + "/serial") << "1000\n";
  std::ofstream(dir_ + "/ca.cnf") << "[ca]\ndefault_ca = ca_default\n[ca_default]\n"
                                  << "dir = " << dir_ << "\ndatabase = $dir/index.txt\n"
                                  << "new_certs_dir = $dir/newcerts\nserial = $dir/serial\n"
                                  << "default_md = sha256\npolicy = policy_any\n"
                                  << "unique_subject = no\n[policy_any]\n"
                                  << "commonName = supplied\n";
}

std::string Pki::NewKeyAndCsr(const std::string& name,
                              const std::string& cn,
                              const std::string& key_type) {
  const std::string key = dir_ + "/" + name + ".key";
  const std::string algorithm = key_type == "rsa"
                                    ? "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"
                                    : "-algorithm EC -pkeyopt ec_paramgen_curve:P-256";
  Shell("openssl genpkey " + algorithm + " -out " + key);
  Shell("openssl req -new -key " + key + " -subj '/CN=" + cn + "' -out " + dir_ + "/" + name +
        ".csr");
  return key;
}

std::string Pki::ExtFile(const std::string& name, bool ca, const std::string& cn) {
  const std::string path = dir_ + "/" + name + ".ext";
  std::ofstream ext(path);
  ext << "[ext]\nsubjectKeyIdentifier = hash\n";
  if (ca) {
    ext << "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n";
  } else {
    ext << "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth,clientAuth\n"
        << "subjectAltName = DNS:" << cn << ",IP:127.0.0.1\n";
  }
  return path;
}

Cert Pki::SelfSigned(const std::string& name,
                     const std::string& cn,
                     std::int64_t not_before,
                     std::int64_t not_after,
                     bool ca,
                     const std::string& key_type) {
  Cert cert{dir_ + "/" + name + ".pem", NewKeyAndCsr(name, cn, key_type), not_before, not_after};
  Shell("openssl ca -batch -notext -config " + dir_ + "/ca.cnf -selfsign -keyfile " + cert.key +
        " -in " + dir_ + "/" + name + ".csr -out " + cert.pem + " -startdate " +
        CaDate(not_before) + " -enddate " + CaDate(not_after) + " -extfile " +
        ExtFile(name, ca, cn) + " -extensions ext");
  return cert;
}

Cert Pki::Issue(const std::string& name,
                const std::string& cn,
                const Cert& issuer,
                std::int64_t not_before,
                std::int64_t not_after,
                bool ca,
                const std::string& key_type) {
  Cert cert{dir_ + "/" + name + ".pem", NewKeyAndCsr(name, cn, key_type), not_before, not_after};
  Shell("openssl ca -batch -notext -config " + dir_ + "/ca.cnf -cert " + issuer.pem + " -keyfile " +
        issuer.key + " -in " + dir_ + "/" + name + ".csr -out " + cert.pem + " -startdate " +
        CaDate(not_before) + " -enddate " + CaDate(not_after) + " -extfile " +
        ExtFile(name, ca, cn) + " -extensions ext");
  return cert;
}

std::string Pki::Bundle(const std::string& name, const std::vector<std::string>& pems) {
  const std::string path = dir_ + "/" + name + ".pem";
  std::ofstream out(path);
  for (const auto& pem : pems) {
    out << std::ifstream(pem).rdbuf();
  }
  return path;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::string& ready_prefix,
                           bool merge_stderr,
                           const std::string& cwd) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    if (merge_stderr) {
      ::dup2(fds[1], STDERR_FILENO);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      ::_exit(126);
    }
    ExecOrExit(argv);
  }
  ::close(fds[1]);
  stdout_fd_ = fds[0];
  std::string buffer;
  pollfd item{stdout_fd_, POLLIN, 0};
  while (ready_line_.empty() && ::poll(&item, 1, 10000) > 0) {
    char chunk[512];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) {
      break;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
    for (std::size_t at = buffer.find(ready_prefix); at != std::string::npos;) {
      const auto end = buffer.find('\n', at);
      if (end == std::string::npos) {
        break;
      }
      ready_line_ = buffer.substr(at, end - at);
      break;
    }
  }
  EXPECT_FALSE(ready_line_.empty()) << argv[0] << " never printed " << ready_prefix;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
      ::usleep(10000);
      if (i == 99) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
  }
}

namespace {
std::vector<std::string> ServerArgs(const Cert& cert,
                                    const std::vector<std::string>& extra,
                                    const std::string& accept) {
  std::vector<std::string> args{"openssl", "s_server", "-accept", accept, "-cert",
                                cert.pem,  "-key",     cert.key,  "-www"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}
}  // namespace

TlsServer::TlsServer(const Cert& cert,
                     const std::vector<std::string>& extra,
                     const std::string& accept,
                     const std::string& cwd)
    : process_(ServerArgs(cert, extra, accept), "ACCEPT", false, cwd) {
  const auto colon = process_.ready_line().rfind(':');
  port_ = colon == std::string::npos
              ? 0
              : static_cast<std::uint16_t>(std::stoi(process_.ready_line().substr(colon + 1)));
}

RawServer::RawServer(Mode mode) : listen_fd_(LoopbackListener()), port_(BoundPort(listen_fd_)) {
  if (mode == Mode::kSilent) {
    return;  // The kernel completes the TCP handshake from the backlog; nobody ever answers.
  }
  thread_ = std::thread([this, mode] {
    while (!stop_) {
      pollfd item{listen_fd_, POLLIN, 0};
      if (::poll(&item, 1, 50) <= 0) {
        continue;
      }
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      pollfd data{client, POLLIN, 0};
      char hello[64];
      if (client >= 0 && ::poll(&data, 1, 2000) > 0) {
        [[maybe_unused]] const auto n = ::read(client, hello, sizeof(hello));  // part of it
        if (mode == Mode::kHttpRedirect) {
          static constexpr char kAnswer[] =
              "HTTP/1.1 301 Moved Permanently\r\nLocation: https://localhost/\r\n"
              "Content-Length: 0\r\nConnection: close\r\n\r\n";
          [[maybe_unused]] const auto w = ::write(client, kAnswer, sizeof(kAnswer) - 1);
        }
      }
      if (client >= 0) {
        ::close(client);
      }
    }
  });
}

RawServer::~RawServer() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  ::close(listen_fd_);
}

std::uint16_t ClosedPort() {
  const int fd = LoopbackListener();
  const std::uint16_t port = BoundPort(fd);
  ::close(fd);
  return port;
}

}  // namespace portwarden::testing
