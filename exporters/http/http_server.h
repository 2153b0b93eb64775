#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/config/config.h"
#include "agent/core/error.h"

namespace httplib {
class Server;
}

namespace portwarden::exporters::http {

/// What the server needs from the rest of the agent. All callbacks must be thread-safe:
/// they run on the server's worker threads.
struct Handlers {
  std::function<std::string()> metrics;     ///< Exposition text for the telemetry path.
  std::function<std::string()> state_json;  ///< Body of /api/state.
  std::function<bool()> ready;              ///< /-/ready answers 200 when true, else 503.
  std::function<Status()> reload;           ///< POST /-/reload.
};

/// Parses a listen address the Prometheus way: ":19443" (every address, IPv4 and IPv6),
/// "127.0.0.1:19443", "[::1]:19443", "[::]:0" (port chosen by the kernel).
struct ListenAddress {
  std::string host;  ///< "::" for ":port"
  int port = 0;
};

Result<ListenAddress> ParseListenAddress(const std::string& text);

/// Serves /metrics (or the configured path), /, /-/healthy, /-/ready, /-/reload and
/// /api/state on one or more addresses, with a bounded worker pool and read timeouts.
/// Start() binds every address before returning, so bind errors are reported at once.
class HttpServer {
 public:
  HttpServer(Handlers handlers, config::WebSettings settings);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds every address; on success returns them as bound ("127.0.0.1:43121").
  Result<std::vector<std::string>> Start();

  /// Stops accepting, finishes in-flight requests, joins. Idempotent.
  void Stop();

 private:
  void Route(httplib::Server& server) const;

  Handlers handlers_;
  config::WebSettings settings_;
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
};

}  // namespace portwarden::exporters::http
