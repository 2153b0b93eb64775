#pragma once

// Test-time PKI and real TLS peers on loopback for the prober's integration tests.
// Certificates come from the `openssl` CLI with exact, test-chosen dates; servers are real
// `openssl s_server` processes on ports chosen at run time. Everything is removed or killed
// by the destructors.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace portwarden::testing {

/// A temporary directory, removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Runs a shell command; returns its stdout. Fails the current test when it exits non-zero.
std::string Shell(const std::string& command);

/// In a forked child: replaces the process with `argv` (PATH searched); exits 127 on failure.
[[noreturn]] void ExecOrExit(const std::vector<std::string>& argv);

/// Formats Unix seconds the way `openssl ca -startdate/-enddate` wants (YYYYMMDDHHMMSSZ).
std::string CaDate(std::int64_t unix_seconds);

/// A certificate and key written to `dir`/<name>.pem and <name>.key.
struct Cert {
  std::string pem;
  std::string key;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
};

/// Issues certificates with `openssl ca`. `key_type` is "rsa" (2048) or "ec" (P-256).
class Pki {
 public:
  explicit Pki(std::string dir);

  /// A self-signed certificate; `ca` adds CA:TRUE.
  Cert SelfSigned(const std::string& name,
                  const std::string& cn,
                  std::int64_t not_before,
                  std::int64_t not_after,
                  bool ca,
                  const std::string& key_type = "ec");

  /// A certificate for `cn` (SAN DNS:cn, IP:127.0.0.1 for leaves) signed by `issuer`.
  Cert Issue(const std::string& name,
             const std::string& cn,
             const Cert& issuer,
             std::int64_t not_before,
             std::int64_t not_after,
             bool ca,
             const std::string& key_type = "ec");

  /// Concatenates PEM files into `dir`/<name>.pem and returns its path.
  std::string Bundle(const std::string& name, const std::vector<std::string>& pems);

 private:
  std::string NewKeyAndCsr(const std::string& name,
                           const std::string& cn,
                           const std::string& key_type);
  std::string ExtFile(const std::string& name, bool ca, const std::string& cn);

  std::string dir_;
};

/// A child process whose stdout is read until a line starting with `ready_prefix`.
/// Killed (SIGTERM, then SIGKILL) and reaped on destruction.
class ChildProcess {
 public:
  /// `merge_stderr` also reads the child's stderr (for programs that log there).
  ChildProcess(const std::vector<std::string>& argv,
               const std::string& ready_prefix,
               bool merge_stderr = false,
               const std::string& cwd = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& ready_line() const { return ready_line_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string ready_line_;
};

/// `openssl s_server -www` on 127.0.0.1 at a kernel-chosen port.
class TlsServer {
 public:
  /// `extra` are further s_server flags (-tls1_2, -Verify 1, -cert_chain f, ...).
  /// `accept` is s_server's -accept argument (IPv4 loopback by default).
  TlsServer(const Cert& cert,
            const std::vector<std::string>& extra = {},
            const std::string& accept = "127.0.0.1:0",
            const std::string& cwd = "");

  std::uint16_t port() const { return port_; }

 private:
  ChildProcess process_;
  std::uint16_t port_ = 0;
};

/// A loopback TCP listener driven by a thread: kSilent accepts and never answers,
/// kCloseAfterHello reads the ClientHello and closes;
/// kHttpRedirect answers any request with a 301 to https://localhost/. Stops and closes on
/// destruction.
class RawServer {
 public:
  enum class Mode { kSilent, kCloseAfterHello, kHttpRedirect };
  explicit RawServer(Mode mode);
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;
  ~RawServer();

  std::uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// A loopback port with nothing listening (bound, then closed).
std::uint16_t ClosedPort();

}  // namespace portwarden::testing
