#include "exporters/http/http_server.h"

#include <signal.h>
#include <unistd.h>

#include "exporters/http/event_loop.h"
#include "exporters/http/worker_pool.h"

namespace portwarden::exporters::http {
namespace {

// Complete requests waiting for a worker; beyond this a request is answered 503 at once.
constexpr std::size_t kMaxQueuedRequests = 256;

}  // namespace

HttpServer::HttpServer(Handlers handlers, config::WebSettings settings, WebConfigStore* web_config)
    : settings_(std::move(settings)),
      web_config_(web_config),
      router_(std::make_unique<Router>(std::move(handlers), settings_.telemetry_path, web_config)) {
}

HttpServer::~HttpServer() {
  Stop();
}

Result<std::vector<std::string>> HttpServer::Start() {
  // A peer that closes mid-response must not kill the process (TLS writes use write(2)).
  ::signal(SIGPIPE, SIG_IGN);
  FrontSettings front;
  front.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.read_timeout);
  auto loop = std::make_unique<EventLoop>(
      front, *router_,
      *(workers_ = std::make_unique<WorkerPool>(settings_.max_connections, kMaxQueuedRequests)),
      web_config_);
  if (Status status = loop->Init(); !status) {
    workers_->Stop();
    return std::unexpected(status.error());
  }
  std::vector<std::string> bound;
  for (const std::string& text : settings_.listen_addresses) {
    auto socket = Listen(text);
    if (!socket) {
      workers_->Stop();
      return std::unexpected(socket.error());
    }
    if (Status status = loop->AddListener(socket->fd); !status) {
      workers_->Stop();
      return std::unexpected(status.error());
    }
    bound.push_back(socket->bound);
  }
  loop_ = std::move(loop);
  thread_ = std::thread([this] { loop_->Run(); });
  return bound;
}

void HttpServer::Stop() {
  if (loop_) {
    loop_->Stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  if (workers_) {
    workers_->Stop();  // before the loop goes: running handlers complete into it
  }
  loop_.reset();
  workers_.reset();
}

}  // namespace portwarden::exporters::http
