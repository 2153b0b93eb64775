#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "exporters/http/http_message.h"
#include "exporters/http/request_parser.h"
#include "exporters/http/tls_server_context.h"
#include "exporters/http/web_config_store.h"

namespace portwarden::exporters::http {

/// What a non-blocking transport call achieved.
enum class Io : std::uint8_t { kDone, kWantRead, kWantWrite, kClosed, kError };

/// One client connection of the HTTP front: a non-blocking socket, optionally wrapped in TLS,
/// with its parser, its pending input and output, and its place in the deadline queue. Owned
/// and used by the event loop thread only.
class Connection {
 public:
  enum class Phase : std::uint8_t { kHandshake, kReading, kWorking, kWriting, kDraining };
  using Clock = std::chrono::steady_clock;

  Connection(std::uint64_t id, int fd, SslPtr ssl, HttpLimits limits);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// TLS handshake step (kDone when finished).
  Io Handshake();
  /// Appends what the socket has (up to 16 KiB) to `in`.
  Io Read();
  /// Writes `out` from (`segment`, `written`); kDone when all of it is out.
  Io Write();
  /// Discards what the peer still sends after an error response (a lingering close, so the
  /// peer reads the response instead of a reset); kDone once `drained` exceeds the budget.
  Io Drain();
  /// Half-closes the sending side (plain TCP).
  void ShutdownWrite();
  /// One non-blocking attempt to send `bytes` (a last word before closing).
  void TryWriteOnce(const std::string& bytes);

  std::uint64_t id() const { return id_; }

  int fd() const { return fd_; }

  SSL* ssl() const { return ssl_.get(); }

  Phase phase = Phase::kHandshake;
  RequestParser parser;
  std::string in;           ///< received bytes not yet given to the parser
  Outgoing out;             ///< response bytes, in segments (a shared one is not copied)
  std::size_t segment = 0;  ///< the segment of `out` being written
  std::size_t written = 0;  ///< bytes of that segment already written
  bool close_after_write = false;
  bool drain_after_write = false;  ///< linger after an error answer to unread input
  std::size_t drained = 0;
  std::uint32_t events = 0;  ///< epoll interest currently registered (0 = not registered)
  bool registered = false;
  Clock::time_point deadline;
  std::list<std::uint64_t>::iterator timer;  ///< valid while in the deadline queue
  bool timed = false;
  std::shared_ptr<const LoadedWebConfig> web;  ///< the config its handshake used

 private:
  Io SslResult(int rc);
  ssize_t SendSegments() const;    // one sendmsg of the unsent segments
  void Advance(std::size_t sent);  // moves (segment, written) past `sent` bytes

  std::uint64_t id_;
  int fd_;
  SslPtr ssl_;
  bool ssl_failed_ = false;
};

}  // namespace portwarden::exporters::http
