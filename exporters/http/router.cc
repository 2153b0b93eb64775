#include "exporters/http/router.h"

#include <algorithm>

#include "exporters/http/gzip.h"

namespace portwarden::exporters::http {
namespace {

// Whether the query string holds the parameter `name` ("pretty", "pretty=1", "a&pretty").
bool HasQueryParameter(const Request& request, std::string_view name) {
  const auto question = request.target.find('?');
  if (question == std::string::npos) {
    return false;
  }
  std::string_view query = std::string_view(request.target).substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    const std::string_view key = item.substr(0, item.find('='));
    if (key == name) {
      const std::string_view value = key.size() < item.size() ? item.substr(key.size() + 1) : "";
      return value != "0" && value != "false";
    }
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  return false;
}

bool IsGet(const Request& request) {
  return request.method == "GET" || request.method == "HEAD";
}

Response Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response MethodNotAllowed(const char* allow) {
  Response response = Text(405, "Method Not Allowed\n");
  response.headers.emplace_back("Allow", allow);
  return response;
}

void MarkGzip(Response& response) {
  response.headers.emplace_back("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
}

bool Encoded(const Response& response) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [](const auto& header) { return header.first == "Content-Encoding"; });
}

void CompressIfAsked(const Request& request, Response& response) {
  // A shared body is the cached exposition, which arrives compressed when gzip is wanted.
  if (response.body.empty() || response.shared_body || Encoded(response) ||
      !AcceptsGzip(request.Header("accept-encoding"))) {
    return;
  }
  if (auto compressed = Gzip(response.body)) {
    response.body = std::move(*compressed);
    MarkGzip(response);
  }
}

}  // namespace

Router::Router(Handlers handlers, std::string telemetry_path, WebConfigStore* web_config)
    : handlers_(std::move(handlers)),
      telemetry_path_(std::move(telemetry_path)),
      web_config_(web_config) {}

Response Router::Handle(const Request& request) {
  std::shared_ptr<const LoadedWebConfig> web;
  if (web_config_ != nullptr) {
    auto current = web_config_->Current();
    if (!current) {  // logged by the store; fail closed as exporter-toolkit does
      return ErrorResponse(500);
    }
    web = std::move(*current);
  }
  Response response;
  if (web && web->config.rate_limit.interval.count() > 0 && !RateAllowed(web->config.rate_limit)) {
    response = ErrorResponse(429);
  } else if (web && !web->config.users.empty() &&
             !authenticator_.Allowed(web->config.users, request.Header("authorization"))) {
    response = ErrorResponse(401);
    response.headers.emplace_back("WWW-Authenticate", "Basic");
  } else {
    response = Route(request);
    CompressIfAsked(request, response);
  }
  if (web) {
    for (const auto& [name, value] : web->config.headers) {
      response.headers.emplace_back(name, value);
    }
  }
  return response;
}

// A token bucket like Go's rate.NewLimiter(rate.Every(interval), burst), starting full.
bool Router::RateAllowed(const RateLimitConfig& limit) {
  std::lock_guard lock(limiter_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (tokens_ < 0) {
    tokens_ = limit.burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - refilled_).count();
    tokens_ = std::min<double>(
        limit.burst, tokens_ + elapsed / std::chrono::duration<double>(limit.interval).count());
  }
  refilled_ = now;
  if (tokens_ < 1) {
    return false;
  }
  tokens_ -= 1;
  return true;
}

Response Router::Route(const Request& request) const {
  const std::string& path = request.path;
  if (path == telemetry_path_ || path == "/" || path == "/-/healthy" || path == "/-/ready" ||
      path == "/api/state") {
    if (!IsGet(request)) {
      return MethodNotAllowed("GET, HEAD");
    }
  }
  if (path == telemetry_path_) {
    MetricsBody metrics = handlers_.metrics(AcceptsGzip(request.Header("accept-encoding")));
    Response response = Text(200, std::move(metrics.body));
    response.shared_body = std::move(metrics.shared_prefix);
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (metrics.gzip) {
      MarkGzip(response);
    }
    return response;
  }
  if (path == "/") {
    // The cached rendering itself, shared by every response to it (not copied, not gzipped).
    Response response = Text(200, "");
    response.shared_body = handlers_.status_page();
    response.content_type = "text/html; charset=utf-8";
    return response;
  }
  if (path == "/-/healthy") {
    return Text(200, "Healthy\n");
  }
  if (path == "/-/ready") {
    const bool ready = handlers_.ready();
    return Text(ready ? 200 : 503,
                ready ? "Ready\n" : "Not ready: first collection still running\n");
  }
  if (path == "/api/state") {
    Response response = Text(200, handlers_.state_json(HasQueryParameter(request, "pretty")));
    response.content_type = "application/json";
    return response;
  }
  if (path == "/-/reload") {
    if (request.method != "POST" && request.method != "PUT") {
      return MethodNotAllowed("POST");
    }
    const Status status = handlers_.reload();
    if (!status) {
      return Text(500, "failed to reload config: " + status.error().message + "\n");
    }
    return Text(200, "OK\n");
  }
  return Text(404, "404 Not Found\n");
}

}  // namespace portwarden::exporters::http
