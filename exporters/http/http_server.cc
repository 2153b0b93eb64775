#include "exporters/http/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <string>

#include "agent/config/host_port.h"
#include "exporters/http/landing_page.h"

namespace portwarden::exporters::http {
namespace {

constexpr const char* kTextPlain = "text/plain; charset=utf-8";

void MethodNotAllowed(httplib::Response& response, const char* allow) {
  response.status = 405;
  response.set_header("Allow", allow);
  response.set_content("Method Not Allowed\n", kTextPlain);
}

}  // namespace

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  auto parsed = config::SplitHostPort(text, /*min_port=*/0);
  if (!parsed) {
    return Fail("listen address: " + parsed.error().message);
  }
  // ":port" = every address, IPv4 and IPv6 (a dual-stack socket).
  return ListenAddress{parsed->host.empty() ? "::" : parsed->host, parsed->port};
}

HttpServer::HttpServer(Handlers handlers, config::WebSettings settings)
    : handlers_(std::move(handlers)), settings_(std::move(settings)) {}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::Route(httplib::Server& server) const {
  const std::string telemetry_path = settings_.telemetry_path;
  server.Get(telemetry_path, [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(handlers_.metrics(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/", [telemetry_path](const httplib::Request&, httplib::Response& response) {
    response.set_content(LandingPage(telemetry_path), "text/html; charset=utf-8");
  });
  server.Get("/-/healthy", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Healthy\n", kTextPlain);
  });
  server.Get("/-/ready", [this](const httplib::Request&, httplib::Response& response) {
    const bool ready = handlers_.ready();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "Ready\n" : "Not ready: first collection still running\n",
                         kTextPlain);
  });
  server.Post("/-/reload", [this](const httplib::Request&, httplib::Response& response) {
    const Status status = handlers_.reload();
    if (!status) {
      response.status = 500;
      response.set_content("failed to reload config: " + status.error().message + "\n", kTextPlain);
      return;
    }
    response.set_content("OK\n", kTextPlain);
  });
  server.Get("/-/reload", [](const httplib::Request&, httplib::Response& response) {
    MethodNotAllowed(response, "POST");
  });
  server.Get("/api/state", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(handlers_.state_json(), "application/json");
  });
}

Result<std::vector<std::string>> HttpServer::Start() {
  std::vector<std::string> bound;
  for (const std::string& text : settings_.listen_addresses) {
    auto address = ParseListenAddress(text);
    if (!address) {
      Stop();
      return std::unexpected(address.error());
    }
    auto server = std::make_unique<httplib::Server>();
    const int workers = settings_.max_connections;
    server->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    server->set_read_timeout(settings_.read_timeout);
    server->set_write_timeout(settings_.read_timeout);
    server->set_keep_alive_timeout(5);
    server->set_payload_max_length(64 * 1024);
    // httplib's default also sets SO_REUSEPORT, which would let a second agent share the port
    // silently. SO_REUSEADDR alone keeps fast restarts working and makes a clash an error.
    server->set_socket_options([](int sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    Route(*server);
    int port = address->port;
    if (port == 0) {
      port = server->bind_to_any_port(address->host);
    } else if (!server->bind_to_port(address->host, port)) {
      port = -1;
    }
    if (port < 0) {
      Stop();
      return Fail("cannot listen on \"" + text + "\": bind failed (address in use or not local?)");
    }
    bound.push_back(config::JoinHostPort(address->host, static_cast<std::uint16_t>(port)));
    httplib::Server* raw = server.get();
    servers_.push_back(std::move(server));
    threads_.emplace_back([raw] { raw->listen_after_bind(); });
  }
  return bound;
}

void HttpServer::Stop() {
  for (auto& server : servers_) {
    server->stop();
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  threads_.clear();
  servers_.clear();
}

}  // namespace portwarden::exporters::http
