#include "exporters/http/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <openssl/err.h>

namespace portwarden::exporters::http {

Connection::Connection(std::uint64_t id, int fd, SslPtr ssl, HttpLimits limits)
    : phase(ssl ? Phase::kHandshake : Phase::kReading),
      parser(limits),
      id_(id),
      fd_(fd),
      ssl_(std::move(ssl)) {
  if (ssl_) {
    SSL_set_fd(ssl_.get(), fd_);
    SSL_set_accept_state(ssl_.get());
  }
}

Connection::~Connection() {
  if (ssl_ && phase != Phase::kHandshake && !ssl_failed_) {
    SSL_set_quiet_shutdown(ssl_.get(), 0);
    (void)SSL_shutdown(ssl_.get());  // one non-blocking close_notify, best effort
  }
  ssl_.reset();
  ERR_clear_error();
  ::close(fd_);
}

Io Connection::SslResult(int rc) {
  switch (SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      return Io::kClosed;
    default:
      ssl_failed_ = true;  // no close_notify after a fatal error
      ERR_clear_error();
      return Io::kError;
  }
}

Io Connection::Handshake() {
  const int rc = SSL_do_handshake(ssl_.get());
  return rc == 1 ? Io::kDone : SslResult(rc);
}

Io Connection::Read() {
  char buffer[16 * 1024];
  if (ssl_) {
    std::size_t got = 0;
    const int rc = SSL_read_ex(ssl_.get(), buffer, sizeof buffer, &got);
    if (rc != 1) {
      return SslResult(rc);
    }
    in.append(buffer, got);
    return Io::kDone;
  }
  while (true) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      in.append(buffer, static_cast<std::size_t>(n));
      return Io::kDone;
    }
    if (n == 0) {
      return Io::kClosed;
    }
    if (errno == EINTR) {
      continue;
    }
    return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantRead : Io::kError;
  }
}

// Plain TCP sends every remaining segment in one sendmsg (the head and a shared body leave in
// the same packet); TLS writes segment by segment, SSL_write_ex taking the same pointer and
// length again after a WANT_WRITE.
Io Connection::Write() {
  while (segment < out.segments.size()) {
    const std::string& bytes = *out.segments[segment];
    if (written == bytes.size()) {
      ++segment;
      written = 0;
      continue;
    }
    std::size_t sent = 0;
    if (ssl_) {
      const int rc =
          SSL_write_ex(ssl_.get(), bytes.data() + written, bytes.size() - written, &sent);
      if (rc != 1) {
        return SslResult(rc);
      }
    } else {
      const ssize_t n = SendSegments();
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantWrite : Io::kError;
      }
      sent = static_cast<std::size_t>(n);
    }
    Advance(sent);
  }
  return Io::kDone;
}

ssize_t Connection::SendSegments() const {
  constexpr std::size_t kMaxIov = 8;
  iovec iov[kMaxIov];
  std::size_t count = 0;
  for (std::size_t i = segment; i < out.segments.size() && count < kMaxIov; ++i) {
    const std::string& bytes = *out.segments[i];
    const std::size_t skip = i == segment ? written : 0;
    iov[count].iov_base = const_cast<char*>(bytes.data() + skip);
    iov[count].iov_len = bytes.size() - skip;
    ++count;
  }
  msghdr message{};
  message.msg_iov = iov;
  message.msg_iovlen = count;
  return ::sendmsg(fd_, &message, MSG_NOSIGNAL);
}

void Connection::Advance(std::size_t sent) {
  while (sent > 0 && segment < out.segments.size()) {
    const std::size_t left = out.segments[segment]->size() - written;
    const std::size_t step = std::min(left, sent);
    written += step;
    sent -= step;
    if (written == out.segments[segment]->size()) {
      ++segment;
      written = 0;
    }
  }
}

Io Connection::Drain() {
  constexpr std::size_t kDrainBudget = 1 << 20;
  char buffer[16 * 1024];
  while (drained < kDrainBudget) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      drained += static_cast<std::size_t>(n);
    } else if (n == 0) {
      return Io::kClosed;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kWantRead : Io::kError;
    }
  }
  return Io::kDone;
}

void Connection::ShutdownWrite() {
  ::shutdown(fd_, SHUT_WR);
}

void Connection::TryWriteOnce(const std::string& bytes) {
  if (ssl_) {
    if (phase != Phase::kHandshake) {
      std::size_t sent = 0;
      (void)SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &sent);
      ERR_clear_error();
    }
    return;
  }
  (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace portwarden::exporters::http
