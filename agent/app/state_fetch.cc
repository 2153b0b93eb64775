#include "agent/app/state_fetch.h"

#include <memory>

#include "agent/core/text_sanitize.h"
#include "agent/probe/curl_api.h"

namespace portwarden::app {
namespace {

struct Sink {
  std::string body;
  bool too_large = false;
};

std::size_t Write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->body.size() + bytes > kMaxFetchBytes) {
    sink->too_large = true;
    return 0;  // libcurl aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

}  // namespace

std::string StateUrl(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
  if (path == std::string::npos || path + 1 == url.size()) {
    return (path == std::string::npos ? url : url.substr(0, path)) + "/api/state";
  }
  return url;
}

Result<std::string> FetchState(const std::string& url, const std::string& ca_file) {
  auto loaded = probe::LoadCurl();
  if (!loaded) {
    return std::unexpected(loaded.error());
  }
  const probe::CurlApi& curl = *loaded;
  const auto cleanup = [&curl](CURL* handle) { curl.easy_cleanup(handle); };
  std::unique_ptr<CURL, decltype(cleanup)> handle(curl.easy_init(), cleanup);
  if (!handle) {
    return Fail("curl_easy_init failed");
  }
  const std::string target = StateUrl(url);
  Sink sink;
  CURL* h = handle.get();
  curl.easy_setopt(h, CURLOPT_URL, target.c_str());
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(h, CURLOPT_TIMEOUT, 30L);
  curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip when the agent offers it
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, Write);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  if (!ca_file.empty()) {
    curl.easy_setopt(h, CURLOPT_CAINFO, ca_file.c_str());
  }
  const CURLcode rc = curl.easy_perform(h);
  if (sink.too_large) {
    return Fail(target + ": answer larger than " + std::to_string(kMaxFetchBytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    return Fail(text::Sanitize(target + ": " + curl.easy_strerror(rc), text::Kind::kErrorMessage));
  }
  long status = 0;
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Fail(target + ": HTTP status " + std::to_string(status) +
                (status == 401 ? " (give user:password@ in the URL)" : ""));
  }
  return std::move(sink.body);
}

}  // namespace portwarden::app
