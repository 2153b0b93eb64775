// The request flow of the HTTP front, one connection at a time, on the loop thread:
// handshake -> read until the parser has a complete request -> a worker -> write the answer ->
// keep-alive (next request, fresh deadline), close, or a lingering close after an error.
#include <sys/epoll.h>
#include <unistd.h>

#include "agent/core/log.h"
#include "exporters/http/event_loop.h"

namespace portwarden::exporters::http {
namespace {

constexpr int kMaxReadsPerWake = 64;  // 1 MiB, then back to epoll for fairness

}  // namespace

// What a handshake, read or write step that did not finish wants: the readiness it waits
// for, or (closed, an error) the end of the connection.
void EventLoop::Await(Connection& c, Io io) {
  switch (io) {
    case Io::kWantRead:
      Watch(c, EPOLLIN);
      return;
    case Io::kWantWrite:
      Watch(c, EPOLLOUT);
      return;
    default:
      Close(c);
  }
}

void EventLoop::DoHandshake(Connection& c) {
  if (const Io io = c.Handshake(); io != Io::kDone) {
    Await(c, io);
    return;
  }
  const auto& sans = c.web->config.tls.client_allowed_sans;
  if (sans && !PeerSanAllowed(c.ssl(), *sans)) {
    log::Debug("HTTP client certificate has no allowed SAN; closing");
    Close(c);
    return;
  }
  c.phase = Connection::Phase::kReading;
  DoRead(c);
}

// Feeds what has arrived to the parser; reads more until the request is complete, the
// socket is drained, or the per-wake budget is spent.
void EventLoop::DoRead(Connection& c) {
  for (int reads = 0;;) {
    if (!c.in.empty()) {
      std::size_t consumed = 0;
      const auto state = c.parser.Feed(c.in, consumed);
      c.in.erase(0, consumed);
      if (state == RequestParser::State::kComplete) {
        Dispatch(c);
        return;
      }
      if (state == RequestParser::State::kError) {
        log::Debug("Bad HTTP request",
                   {{"status", c.parser.error_status()}, {"reason", c.parser.error_reason()}});
        c.drain_after_write = c.ssl() == nullptr;
        RespondError(c, c.parser.error_status());
        return;
      }
    }
    if (reads++ == kMaxReadsPerWake) {
      Watch(c, EPOLLIN);
      return;
    }
    if (const Io io = c.Read(); io != Io::kDone) {
      Await(c, io);
      return;
    }
  }
}

void EventLoop::Dispatch(Connection& c) {
  if (pending_output_ > settings_.max_pending_output) {  // slow readers hold enough memory
    RespondError(c, 503);
    return;
  }
  Disarm(c);
  Watch(c, 0);
  c.phase = Connection::Phase::kWorking;
  auto request = std::make_shared<Request>(std::move(c.parser.request()));
  const std::uint64_t id = c.id();
  const bool posted = workers_.TryPost([this, id, request] {
    const Response response = router_.Handle(*request);
    const bool keep_alive = request->keep_alive && !response.close;
    Complete({id, SerializeParts(response, keep_alive, request->method == "HEAD"), !keep_alive});
  });
  if (!posted) {
    RespondError(c, 503);
  }
}

void EventLoop::Complete(Completion completion) {
  {
    std::lock_guard lock(completions_mutex_);
    completions_.push_back(std::move(completion));
  }
  const std::uint64_t one = 1;
  // Fails only when the counter is full, and then the loop is awake anyway. (A (void) cast
  // does not silence warn_unused_result, which _FORTIFY_SOURCE turns on.)
  [[maybe_unused]] const ssize_t woken = ::write(event_fd_, &one, sizeof one);
}

void EventLoop::DrainCompletions() {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t drained = ::read(event_fd_, &count, sizeof count);
  std::vector<Completion> done;
  {
    std::lock_guard lock(completions_mutex_);
    done.swap(completions_);
  }
  for (Completion& completion : done) {
    const auto it = connections_.find(completion.id);
    if (it != connections_.end() && it->second->phase == Connection::Phase::kWorking) {
      Respond(*it->second, std::move(completion.bytes), completion.close);
    }
  }
}

void EventLoop::Respond(Connection& c, Outgoing bytes, bool close) {
  c.phase = Connection::Phase::kWriting;
  ReleaseOutput(c);
  c.out = std::move(bytes);
  ChargeOutput(c);
  c.close_after_write = close;
  Arm(c);
  DoWrite(c);
}

void EventLoop::RespondError(Connection& c, int status) {
  Respond(c, SerializeParts(ErrorResponse(status, true), false, false), true);
}

void EventLoop::DoWrite(Connection& c) {
  if (const Io io = c.Write(); io != Io::kDone) {
    Await(c, io);
    return;
  }
  ReleaseOutput(c);
  if (c.close_after_write && c.drain_after_write) {
    c.ShutdownWrite();
    c.phase = Connection::Phase::kDraining;
    DoDrain(c);
    return;
  }
  if (c.close_after_write) {
    Close(c);
    return;
  }
  c.parser.Reset();
  c.phase = Connection::Phase::kReading;
  Arm(c);  // the next request (or idleness) gets a fresh deadline
  DoRead(c);
}

// The deadline set for the response still bounds the lingering close.
void EventLoop::DoDrain(Connection& c) {
  if (c.Drain() == Io::kWantRead) {
    Watch(c, EPOLLIN);
  } else {
    Close(c);
  }
}

}  // namespace portwarden::exporters::http
