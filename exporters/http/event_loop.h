#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/core/error.h"
#include "exporters/http/connection.h"
#include "exporters/http/router.h"
#include "exporters/http/worker_pool.h"

namespace portwarden::exporters::http {

/// Limits of the HTTP front.
struct FrontSettings {
  HttpLimits limits;
  /// Deadline for a whole request (TLS handshake, head and body, measured from accept or from
  /// the end of the previous response), and for writing a whole response.
  std::chrono::milliseconds request_timeout{10'000};
  std::size_t max_open_connections = 1024;  ///< beyond it the oldest unfinished one is dropped
  /// Response bytes held for clients that read slowly; beyond it new requests get 503. A body
  /// shared by several responses (the cached exposition) counts once.
  std::size_t max_pending_output = 64 << 20;
};

/// The event-driven front of the HTTP server: one thread, one epoll set for every listening
/// socket and connection. It accepts, runs TLS handshakes, reads each request head and body
/// under one deadline and the HttpLimits, and only then hands the complete request to a
/// worker; the worker's response bytes come back here to be written without blocking. A slow
/// or idle client therefore costs a socket and a few KiB, never a worker thread, and a new
/// scraper is served however many such clients are connected.
class EventLoop {
 public:
  /// `web_config` non-null with tls() = serve TLS with its current SSL_CTX.
  EventLoop(FrontSettings settings,
            Router& router,
            WorkerPool& workers,
            WebConfigStore* web_config);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Creates the epoll set; call once before AddListener.
  Status Init();
  /// Takes ownership of a listening socket.
  Status AddListener(int fd);
  /// Serves until Stop().
  void Run();
  /// Thread-safe; Run() returns soon after.
  void Stop();

 private:
  struct Completion {
    std::uint64_t id;
    Outgoing bytes;
    bool close;
  };

  void Accept(int listen_fd);
  void Start(std::unique_ptr<Connection> connection);
  void OnEvent(std::uint64_t id, std::uint32_t events);
  void DoHandshake(Connection& c);
  void DoRead(Connection& c);
  void DoWrite(Connection& c);
  void DoDrain(Connection& c);
  void Dispatch(Connection& c);
  void Respond(Connection& c, Outgoing bytes, bool close);
  void RespondError(Connection& c, int status);  // the answer, then close
  void Await(Connection& c, Io io);              // an unfinished I/O step: wait, or close
  void Complete(Completion completion);          // from worker threads
  void DrainCompletions();
  void Watch(Connection& c, std::uint32_t events);
  void Arm(Connection& c);
  void Disarm(Connection& c);
  void Close(Connection& c);
  void ReleaseOutput(Connection& c);
  void ChargeOutput(const Connection& c);
  void ExpireDeadlines();
  bool EvictOldest();
  int NextTimeoutMs() const;

  FrontSettings settings_;
  Router& router_;
  WorkerPool& workers_;
  WebConfigStore* web_config_;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  std::vector<int> listeners_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::list<std::uint64_t> timers_;  ///< by deadline: every deadline is now + request_timeout
  std::uint64_t next_id_;
  /// Sum of the sizes of the distinct segments held by unsent responses: a segment shared by
  /// several connections counts once (`segment_holders_` counts who holds each).
  std::size_t pending_output_ = 0;
  std::unordered_map<const std::string*, std::size_t> segment_holders_;
  std::atomic<bool> stopping_{false};
  std::mutex completions_mutex_;
  std::vector<Completion> completions_;
};

}  // namespace portwarden::exporters::http
