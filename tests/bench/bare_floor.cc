// The memory floor for the agent: a program that only initialises the libraries the agent
// links (OpenSSL with the system trust store, libcurl, prometheus-cpp, spdlog, toml++,
// cpp-httplib serving one socket) and then idles. tests/bench/idle_memory.sh compares the
// agent's resident memory with this program's, measured in the same run.
#include <httplib.h>

#include <cstdio>
#include <memory>
#include <string>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

int main() {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_default_verify_paths(ctx.get());
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildCounter().Name("floor_total").Help("x").Register(*registry).Add({}).Increment();
  const std::string text = prometheus::TextSerializer().Serialize(registry->Collect());
  const toml::table config = toml::parse("[agent]\nscan_interval = \"15s\"\n");
  spdlog::info("bare floor ready ({} bytes of metrics, {} keys)", text.size(), config.size());
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  server.listen_after_bind();
  curl_global_cleanup();
  return 0;
}
