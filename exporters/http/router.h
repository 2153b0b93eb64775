#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "agent/core/error.h"
#include "exporters/http/basic_auth.h"
#include "exporters/http/http_message.h"
#include "exporters/http/web_config_store.h"

namespace portwarden::exporters::http {

/// A telemetry body from the exporter, already compressed when `gzip`: `shared_prefix` (may be
/// null) then `body`. The prefix is shared by concurrent scrapes and sent without a copy.
struct MetricsBody {
  std::shared_ptr<const std::string> shared_prefix;
  std::string body;
  bool gzip = false;
};

/// What the server needs from the rest of the agent. All callbacks must be thread-safe:
/// they run on the server's worker threads.
struct Handlers {
  /// The telemetry path's body; the argument says whether the client accepts gzip, and a
  /// gzip body is sent as it is (the router compresses only bodies that are not).
  std::function<MetricsBody(bool accepts_gzip)> metrics;
  /// Body of /api/state; the argument asks for indented JSON (`/api/state?pretty`).
  std::function<std::string(bool pretty)> state_json;
  /// Body of "/", the status page (HTML). Shares the web config (basic auth, headers) with
  /// every other route.
  std::function<std::shared_ptr<const std::string>()> status_page;
  std::function<bool()> ready;     ///< /-/ready answers 200 when true, else 503.
  std::function<Status()> reload;  ///< POST /-/reload.
};

/// Turns a complete request into a response: the web config's rate limit, headers and basic
/// auth first, then the routes, then gzip when the client asks. Runs on worker threads;
/// thread-safe.
class Router {
 public:
  /// `web_config` may be null (no --web.config.file); it must outlive the router.
  Router(Handlers handlers, std::string telemetry_path, WebConfigStore* web_config);

  Response Handle(const Request& request);

 private:
  Response Route(const Request& request) const;
  bool RateAllowed(const RateLimitConfig& limit);

  Handlers handlers_;
  std::string telemetry_path_;
  WebConfigStore* web_config_;
  BasicAuthenticator authenticator_;
  std::mutex limiter_mutex_;
  double tokens_ = -1;  ///< -1 = not started (a bucket starts full)
  std::chrono::steady_clock::time_point refilled_;
};

}  // namespace portwarden::exporters::http
