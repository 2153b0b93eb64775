#include "exporters/http/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace portwarden::exporters::http {
namespace {

constexpr std::uint64_t kWakeId = 0;                      // the eventfd
constexpr std::uint64_t kFirstConnectionId = 1ULL << 32;  // below: listener index + 1
constexpr int kMaxAcceptsPerWake = 64;

}  // namespace

EventLoop::EventLoop(FrontSettings settings,
                     Router& router,
                     WorkerPool& workers,
                     WebConfigStore* web_config)
    : settings_(settings),
      router_(router),
      workers_(workers),
      web_config_(web_config),
      next_id_(kFirstConnectionId) {}

EventLoop::~EventLoop() {
  connections_.clear();
  for (const int fd : listeners_) {
    ::close(fd);
  }
  if (event_fd_ >= 0) {
    ::close(event_fd_);
  }
  if (epoll_fd_ >= 0) {
    ::close(epoll_fd_);
  }
}

Status EventLoop::Init() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || event_fd_ < 0) {
    return std::unexpected(ErrnoError(errno, "HTTP server: epoll/eventfd"));
  }
  epoll_event event{.events = EPOLLIN, .data = {.u64 = kWakeId}};
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &event);
  return {};
}

Status EventLoop::AddListener(int fd) {
  listeners_.push_back(fd);
  epoll_event event{.events = EPOLLIN, .data = {.u64 = listeners_.size()}};
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    return std::unexpected(ErrnoError(errno, "HTTP server: epoll_ctl"));
  }
  return {};
}

void EventLoop::Stop() {
  stopping_ = true;
  const std::uint64_t one = 1;
  // Fails only when the counter is full, and then the loop is awake anyway. (A (void) cast
  // does not silence warn_unused_result, which _FORTIFY_SOURCE turns on.)
  [[maybe_unused]] const ssize_t woken = ::write(event_fd_, &one, sizeof one);
}

void EventLoop::Run() {
  epoll_event events[128];
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events, 128, NextTimeoutMs());
    for (int i = 0; i < n && !stopping_; ++i) {
      const std::uint64_t id = events[i].data.u64;
      if (id == kWakeId) {
        DrainCompletions();
      } else if (id < kFirstConnectionId) {
        Accept(listeners_[id - 1]);
      } else {
        OnEvent(id, events[i].events);
      }
    }
    ExpireDeadlines();
  }
}

int EventLoop::NextTimeoutMs() const {
  if (timers_.empty()) {
    return -1;
  }
  const auto& first = *connections_.at(timers_.front());
  const auto left =
      std::chrono::ceil<std::chrono::milliseconds>(first.deadline - Connection::Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

void EventLoop::Accept(int listen_fd) {
  for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        continue;
      }
      if ((errno == EMFILE || errno == ENFILE) && EvictOldest()) {
        continue;
      }
      return;  // EAGAIN, or out of descriptors with nothing to drop
    }
    if (connections_.size() >= settings_.max_open_connections && !EvictOldest()) {
      ::close(fd);
      continue;
    }
    const int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    SslPtr ssl;
    std::shared_ptr<const LoadedWebConfig> web;
    if (web_config_ != nullptr && web_config_->tls()) {
      // Re-read the web config for each connection, as exporter-toolkit does per handshake.
      auto current = web_config_->Current();
      if (!current || !(*current)->ssl_ctx) {
        ::close(fd);  // no valid TLS settings now: refuse, like a failed handshake
        continue;
      }
      web = *current;
      ssl.reset(SSL_new(web->ssl_ctx.get()));
      if (!ssl) {
        ::close(fd);
        continue;
      }
    }
    auto connection =
        std::make_unique<Connection>(next_id_++, fd, std::move(ssl), settings_.limits);
    connection->web = std::move(web);
    Start(std::move(connection));
  }
}

void EventLoop::Start(std::unique_ptr<Connection> connection) {
  Connection& c = *connection;
  connections_.emplace(c.id(), std::move(connection));
  Arm(c);
  if (c.phase == Connection::Phase::kHandshake) {
    DoHandshake(c);
  } else {
    DoRead(c);
  }
}

void EventLoop::OnEvent(std::uint64_t id, std::uint32_t events) {
  const auto it = connections_.find(id);
  if (it == connections_.end()) {
    return;
  }
  Connection& c = *it->second;
  switch (c.phase) {
    case Connection::Phase::kHandshake:
      DoHandshake(c);
      break;
    case Connection::Phase::kReading:
      DoRead(c);
      break;
    case Connection::Phase::kWriting:
      DoWrite(c);
      break;
    case Connection::Phase::kDraining:
      DoDrain(c);
      break;
    case Connection::Phase::kWorking:
      if ((events & (EPOLLHUP | EPOLLERR)) != 0) {
        Watch(c, 0);  // the response write will notice; do not spin on the hang-up
      }
      break;
  }
}

void EventLoop::Watch(Connection& c, std::uint32_t events) {
  if (events == 0) {
    if (c.registered) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd(), nullptr);
      c.registered = false;
    }
    return;
  }
  if (c.registered && c.events == events) {
    return;
  }
  epoll_event event{.events = events, .data = {.u64 = c.id()}};
  ::epoll_ctl(epoll_fd_, c.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c.fd(), &event);
  c.registered = true;
  c.events = events;
}

void EventLoop::Arm(Connection& c) {
  Disarm(c);
  c.deadline = Connection::Clock::now() + settings_.request_timeout;
  c.timer = timers_.insert(timers_.end(), c.id());
  c.timed = true;
}

void EventLoop::Disarm(Connection& c) {
  if (c.timed) {
    timers_.erase(c.timer);
    c.timed = false;
  }
}

void EventLoop::ChargeOutput(const Connection& c) {
  for (const auto& segment : c.out.segments) {
    if (segment_holders_[segment.get()]++ == 0) {
      pending_output_ += segment->size();
    }
  }
}

void EventLoop::ReleaseOutput(Connection& c) {
  for (const auto& segment : c.out.segments) {
    const auto it = segment_holders_.find(segment.get());
    if (it != segment_holders_.end() && --it->second == 0) {
      pending_output_ -= segment->size();
      segment_holders_.erase(it);
    }
  }
  c.out.segments.clear();
  c.out.segments.shrink_to_fit();
  c.segment = 0;
  c.written = 0;
}

void EventLoop::Close(Connection& c) {
  ReleaseOutput(c);
  Disarm(c);
  Watch(c, 0);
  connections_.erase(c.id());  // destroys c
}

void EventLoop::ExpireDeadlines() {
  const auto now = Connection::Clock::now();
  while (!timers_.empty()) {
    Connection& c = *connections_.at(timers_.front());
    if (c.deadline > now) {
      return;
    }
    if (c.phase == Connection::Phase::kReading && c.parser.started()) {
      c.TryWriteOnce(Serialize(ErrorResponse(408, true), false, false));
    }
    Close(c);
  }
}

// Makes room by dropping the connection that has waited longest without a complete request.
bool EventLoop::EvictOldest() {
  for (const std::uint64_t id : timers_) {
    Connection& c = *connections_.at(id);
    if (c.phase == Connection::Phase::kReading || c.phase == Connection::Phase::kHandshake) {
      Close(c);
      return true;
    }
  }
  return false;
}

}  // namespace portwarden::exporters::http
