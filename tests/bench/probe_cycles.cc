// Times TLS probing in-process against one server, to split the agent's CPU per probe into
// what OpenSSL's handshake costs anyway and what the agent adds. Prints one JSON object.
// Not a test; used by hand next to tests/bench/probe_bench.py.
//   probe_cycles agent HOST PORT CA_FILE [SECONDS] [ENDPOINTS] [CONCURRENCY]
//     OpenSslProber::RunCycle over ENDPOINTS endpoints (SNI h<i>.bench.test), back to back.
//   probe_cycles bare HOST PORT CA_FILE [SECONDS]
//     One thread, blocking sockets: connect, SSL_connect with the same verification settings
//     (ca_file, SNI, hostname check), SSL_shutdown, close. No certificate description.
//     BARE_READ_AHEAD=1 turns on OpenSSL's read-ahead (as the agent does), BARE_NONBLOCK=1
//     uses non-blocking sockets and poll() (as the agent does), BARE_DESCRIBE=1 also runs
//     DescribeCertificate over the chain: each closes part of the gap to `agent`.
// Also prints voluntary (waits) and involuntary (preempted) context switches per probe.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <openssl/ssl.h>

#include "agent/config/config.h"
#include "agent/probe/certificate_info.h"
#include "agent/probe/openssl_prober.h"

namespace {

struct Usage {
  double cpu = 0;
  long waits = 0;      // voluntary context switches (blocking calls), all threads
  long preempted = 0;  // involuntary context switches
};

Usage UsageNow() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_nvcsw, usage.ru_nivcsw};
}

struct Args {
  std::string mode;
  std::string host;
  int port = 0;
  std::string ca_file;
  double seconds = 10;
  int endpoints = 100;
  int concurrency = 32;
};

struct Tally {
  long probes = 0;
  long ok = 0;
};

portwarden::config::Config AgentConfig(const Args& args) {
  auto config = portwarden::config::Defaults();
  config.agent.probe_concurrency = args.concurrency;
  config.discovery.enabled = false;
  for (int i = 0; i < args.endpoints; ++i) {
    portwarden::config::EndpointConfig endpoint;
    endpoint.host = args.host;
    endpoint.port = static_cast<std::uint16_t>(args.port);
    endpoint.target = args.host + ":" + std::to_string(args.port);
    endpoint.server_name = "h" + std::to_string(i) + ".bench.test";
    endpoint.ca_file = args.ca_file;
    config.endpoints.push_back(endpoint);
  }
  return config;
}

template <typename Fn>
Tally Loop(double seconds, Fn&& once) {
  Tally tally;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    once(tally);
  }
  return tally;
}

Tally RunAgent(const Args& args) {
  const auto config = AgentConfig(args);
  const auto targets = portwarden::probe::ConfiguredTargets(config.endpoints);
  portwarden::probe::OpenSslProber runner;
  runner.RunCycle(targets, portwarden::probe::ProbeSettingsFrom(config));  // warm-up
  return Loop(args.seconds, [&](Tally& tally) {
    for (const auto& result :
         runner.RunCycle(targets, portwarden::probe::ProbeSettingsFrom(config)).results) {
      ++tally.probes;
      tally.ok += result.success ? 1 : 0;
    }
  });
}

bool WaitFor(int fd, short events) {
  pollfd item{fd, events, 0};
  return ::poll(&item, 1, 5000) == 1;
}

bool BareHandshake(SSL_CTX* ctx, const sockaddr_in& address, const std::string& name) {
  static const bool nonblock = std::getenv("BARE_NONBLOCK") != nullptr;
  static const bool describe = std::getenv("BARE_DESCRIBE") != nullptr;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (!nonblock || errno != EINPROGRESS || !WaitFor(fd, POLLOUT)) {
      ::close(fd);
      return false;
    }
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(name.c_str()));
  SSL_set1_host(ssl, name.c_str());
  int rc = SSL_connect(ssl);
  while (rc != 1 && SSL_get_error(ssl, rc) == SSL_ERROR_WANT_READ && WaitFor(fd, POLLIN)) {
    rc = SSL_connect(ssl);
  }
  const bool ok = rc == 1 && SSL_get_verify_result(ssl) == X509_V_OK;
  if (ok && describe) {
    const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      portwarden::probe::DescribeCertificate(sk_X509_value(chain, i), i);
    }
  }
  if (ok) {
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  ::close(fd);
  return ok;
}

Tally RunBare(const Args& args) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_load_verify_locations(ctx, args.ca_file.c_str(), nullptr);
  if (std::getenv("BARE_READ_AHEAD") != nullptr) {
    SSL_CTX_set_read_ahead(ctx, 1);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(args.port));
  ::inet_pton(AF_INET, args.host.c_str(), &address.sin_addr);
  int i = 0;
  const Tally tally = Loop(args.seconds, [&](Tally& t) {
    ++t.probes;
    t.ok += BareHandshake(ctx, address, "h" + std::to_string(i++ % 100) + ".bench.test") ? 1 : 0;
  });
  SSL_CTX_free(ctx);
  return tally;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s agent|bare HOST PORT CA_FILE [SECONDS] [ENDPOINTS] [CONC]\n",
                 argv[0]);
    return 2;
  }
  Args args{argv[1], argv[2], std::atoi(argv[3]), argv[4]};
  args.seconds = argc > 5 ? std::atof(argv[5]) : args.seconds;
  args.endpoints = argc > 6 ? std::atoi(argv[6]) : args.endpoints;
  args.concurrency = argc > 7 ? std::atoi(argv[7]) : args.concurrency;
  const Usage before = UsageNow();
  const auto start = std::chrono::steady_clock::now();
  const Tally tally = args.mode == "bare" ? RunBare(args) : RunAgent(args);
  const Usage after = UsageNow();
  const double used = after.cpu - before.cpu;
  const double probes = tally.probes > 0 ? static_cast<double>(tally.probes) : 1;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"mode\": \"%s\", \"probes\": %ld, \"ok\": %ld, \"cpu_ms_per_probe\": %.4f, "
      "\"waits_per_probe\": %.2f, \"preempted_per_probe\": %.2f, \"wall_s\": %.2f}\n",
      args.mode.c_str(), tally.probes, tally.ok, used * 1e3 / probes,
      static_cast<double>(after.waits - before.waits) / probes,
      static_cast<double>(after.preempted - before.preempted) / probes, wall);
  return 0;
}
