// Hostile TCP/TLS peers on loopback, one listener per behaviour, for the hostile-peer suite
// (probe_hostile_test.cc) and the soak (tests/bench/probe_soak.py). A program of its own so
// the peers never share a process with what is measured. Prints one line
//   PEERS tarpit=<port> drip=<port> ...
// once every listener is up, then serves until SIGTERM. Each connection gets a thread.
// With `--cert=PEM --key=KEY` it also serves two TLS peers:
//   http_tarpit  completes the TLS handshake, reads the HTTP request, never answers (three
//                of them: http_tarpit, http_tarpit2, http_tarpit3)
//   delay        waits 200 ms before reading the ClientHello, then completes a TLS 1.3
//                handshake that asks for an optional client certificate and issues no
//                session ticket (the prober must not count its verdict wait as handshake)
//   tarpit       accepts, never sends, holds the connection until the client leaves
//   drip         sends the start of a TLS record, one byte per second
//   garbage      sends an SSH banner and random bytes, then waits
//   close        closes right after accept
//   rst          resets right after accept (SO_LINGER 0)
//   alert        reads the ClientHello, answers with a fatal handshake_failure alert
//   flood        streams TLS HelloRequest messages as fast as the socket takes them
//   stall        answers the ClientHello with a valid TLS 1.2 ServerHello, then nothing
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

namespace {

using Behaviour = void (*)(int fd);

/// Waits up to `ms` for input; reads and discards it. False once the client has gone.
bool Linger(int fd, int ms) {
  pollfd item{fd, POLLIN, 0};
  if (::poll(&item, 1, ms) <= 0) {
    return true;
  }
  char buffer[4096];
  return ::read(fd, buffer, sizeof(buffer)) > 0;
}

bool SendAll(int fd, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::send(fd, bytes, size, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    bytes += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void Tarpit(int fd) {
  while (Linger(fd, 1000)) {
  }
}

void Drip(int fd) {
  static constexpr std::array<unsigned char, 5> kHeader{0x16, 0x03, 0x03, 0x40, 0x00};
  for (std::size_t i = 0;; ++i) {
    const unsigned char byte = i < kHeader.size() ? kHeader[i] : 0;
    if (!SendAll(fd, &byte, 1) || !Linger(fd, 1000)) {
      return;
    }
  }
}

void Garbage(int fd) {
  std::string noise = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
  std::mt19937 random(42);
  for (int i = 0; i < 512; ++i) {
    noise.push_back(static_cast<char>(random()));
  }
  if (SendAll(fd, noise.data(), noise.size())) {
    Tarpit(fd);
  }
}

void CloseNow(int /*fd*/) {}

void Reset(int fd) {
  const linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
}

void Alert(int fd) {
  static constexpr std::array<unsigned char, 7> kAlert{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
  Linger(fd, 2000);  // The ClientHello.
  SendAll(fd, kAlert.data(), kAlert.size());
}

void Flood(int fd) {
  // Each record carries 4,096 empty HelloRequests (type 0, length 0): cheap to send, and a
  // client mid-handshake must skip every one of them.
  std::vector<unsigned char> record{0x16, 0x03, 0x03, 0x40, 0x00};
  record.resize(record.size() + 0x4000, 0);
  std::vector<unsigned char> burst;
  for (int i = 0; i < 16; ++i) {
    burst.insert(burst.end(), record.begin(), record.end());
  }
  while (SendAll(fd, burst.data(), burst.size())) {
  }
}

void Stall(int fd) {
  // TLS 1.2 ServerHello: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, no session id, an empty
  // renegotiation_info (OpenSSL 3 clients insist on it). A zero random has no downgrade mark.
  std::vector<unsigned char> hello{0x03, 0x03};
  hello.resize(hello.size() + 32, 0);
  for (unsigned char b : {0x00, 0xc0, 0x2b, 0x00, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00}) {
    hello.push_back(b);
  }
  const auto length = static_cast<unsigned char>(hello.size());
  std::vector<unsigned char> record{0x16, 0x03, 0x03, 0x00,  static_cast<unsigned char>(length + 4),
                                    0x02, 0x00, 0x00, length};
  record.insert(record.end(), hello.begin(), hello.end());
  Linger(fd, 2000);  // The ClientHello.
  if (SendAll(fd, record.data(), record.size())) {
    Tarpit(fd);
  }
}

SSL_CTX* g_tls = nullptr;

/// Completes a TLS handshake on `fd` (blocking), then holds the connection without a word.
void TlsHold(int fd, bool delay) {
  if (delay) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  SSL* ssl = SSL_new(g_tls);
  SSL_set_fd(ssl, fd);
  if (delay) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    SSL_set_num_tickets(ssl, 0);
  }
  if (SSL_accept(ssl) == 1) {
    Tarpit(fd);
  }
  SSL_free(ssl);
}

void HttpTarpit(int fd) {
  TlsHold(fd, false);
}

void Delay(int fd) {
  TlsHold(fd, true);
}

SSL_CTX* ServerContext(const std::string& cert, const std::string& key) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    std::fprintf(stderr, "cannot load %s / %s\n", cert.c_str(), key.c_str());
    std::exit(1);
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  return ctx;
}

int Listen() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 512) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  return fd;
}

std::uint16_t PortOf(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

void Serve(int listen_fd, Behaviour behaviour) {
  while (true) {
    const int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      continue;
    }
    std::thread([client, behaviour] {
      behaviour(client);
      ::close(client);
    }).detach();
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::pair<const char*, Behaviour>> peers{
      {"tarpit", Tarpit}, {"drip", Drip},   {"garbage", Garbage}, {"close", CloseNow},
      {"rst", Reset},     {"alert", Alert}, {"flood", Flood},     {"stall", Stall}};
  std::string cert;
  std::string key;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--cert=")) {
      cert = arg.substr(7);
    } else if (arg.starts_with("--key=")) {
      key = arg.substr(6);
    }
  }
  if (!cert.empty()) {
    g_tls = ServerContext(cert, key);
    peers.emplace_back("http_tarpit", HttpTarpit);
    peers.emplace_back("http_tarpit2", HttpTarpit);
    peers.emplace_back("http_tarpit3", HttpTarpit);
    peers.emplace_back("delay", Delay);
  }
  std::string line = "PEERS";
  std::vector<std::thread> servers;
  for (const auto& [name, behaviour] : peers) {
    const int fd = Listen();
    line += std::string(" ") + name + "=" + std::to_string(PortOf(fd));
    servers.emplace_back(Serve, fd, behaviour);
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  for (auto& server : servers) {
    server.join();
  }
}
