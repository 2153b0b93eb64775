#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/config/config.h"
#include "agent/core/error.h"
#include "exporters/http/listen_socket.h"
#include "exporters/http/router.h"
#include "exporters/http/web_config_store.h"

namespace portwarden::exporters::http {

class EventLoop;
class WorkerPool;

/// Serves /metrics (or the configured path), /, /-/healthy, /-/ready, /-/reload and
/// /api/state on one or more addresses: an event-driven front (EventLoop) reads requests
/// under deadlines and limits, `settings.max_connections` worker threads run the handlers.
/// With a web config it serves TLS and checks basic auth as exporter-toolkit does.
/// Start() binds every address before returning, so bind errors are reported at once.
class HttpServer {
 public:
  /// `web_config` may be null; otherwise it must outlive the server.
  HttpServer(Handlers handlers, config::WebSettings settings, WebConfigStore* web_config = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds every address; on success returns them as bound ("127.0.0.1:43121").
  Result<std::vector<std::string>> Start();

  /// Stops accepting, closes connections, lets running handlers finish, joins. Idempotent.
  void Stop();

 private:
  config::WebSettings settings_;
  WebConfigStore* web_config_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<EventLoop> loop_;
  std::thread thread_;
};

}  // namespace portwarden::exporters::http
