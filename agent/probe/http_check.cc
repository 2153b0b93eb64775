#include "agent/probe/http_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>

#include "agent/probe/curl_api.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/tcp_connect.h"

namespace portwarden::probe {
namespace {

struct CurlDeleter {
  const CurlApi* api;

  void operator()(CURL* curl) const { api->easy_cleanup(curl); }
};

struct SlistDeleter {
  const CurlApi* api;

  void operator()(curl_slist* list) const { api->slist_free_all(list); }
};

using UniqueCurl = std::unique_ptr<CURL, CurlDeleter>;
using UniqueSlist = std::unique_ptr<curl_slist, SlistDeleter>;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// Collects Strict-Transport-Security from the response headers.
std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* result = static_cast<HttpCheckResult*>(user);
  const std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos &&
      Lower(line.substr(0, colon)) == "strict-transport-security") {
    result->hsts = true;
    result->hsts_max_age = ParseHstsMaxAge(line.substr(colon + 1));
  }
  return size * count;
}

/// Stops the transfer at the first body byte: only the headers matter.
std::size_t OnBody(char*, std::size_t, std::size_t, void*) {
  return 0;
}

/// Creates libcurl's socket inside the listener's network namespace (discovered targets), so
/// the HTTP check reaches the same listener as the handshake did.
curl_socket_t OpenSocketInNetns(void* netns_path, curlsocktype, curl_sockaddr* address) {
  auto fd = OpenTcpSocket(address->family, *static_cast<const std::string*>(netns_path));
  return fd ? fd->Release() : CURL_SOCKET_BAD;
}

std::string IpOf(const ResolvedAddress& address) {
  const auto colon = address.text.rfind(':');
  std::string ip = address.text.substr(0, colon);
  return ip;  // "[v6]" keeps its brackets, as CURLOPT_RESOLVE wants.
}

std::string UrlHost(const std::string& name) {
  return name.find(':') != std::string::npos ? "[" + name + "]" : name;
}

long RemainingMs(const ProbeDeadline& deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline.at - std::chrono::steady_clock::now());
  return std::max<long>(1, static_cast<long>(left.count()));
}

UniqueCurl NewEasy(const CurlApi& api,
                   const std::string& url,
                   const std::string& resolve_entry,
                   UniqueSlist& resolve,
                   const std::string& netns_path,
                   const ProbeDeadline& deadline) {
  UniqueCurl curl(api.easy_init(), CurlDeleter{&api});
  if (!curl) {
    return curl;
  }
  if (!netns_path.empty()) {
    api.easy_setopt(curl.get(), CURLOPT_OPENSOCKETFUNCTION, OpenSocketInNetns);
    api.easy_setopt(curl.get(), CURLOPT_OPENSOCKETDATA, &netns_path);
  }
  resolve = UniqueSlist(api.slist_append(nullptr, resolve_entry.c_str()), SlistDeleter{&api});
  api.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  api.easy_setopt(curl.get(), CURLOPT_RESOLVE, resolve.get());
  api.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, RemainingMs(deadline));
  api.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, OnBody);
  api.easy_setopt(curl.get(), CURLOPT_USERAGENT, "portwarden");
  api.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  return curl;
}

}  // namespace

void EnsureCurlInitialised() {
  (void)LoadCurl();  // a failure is reported by each HTTP check
}

std::optional<double> ParseHstsMaxAge(std::string_view value) {
  const std::string lower = Lower(value);
  const auto at = lower.find("max-age");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  std::size_t pos = lower.find_first_not_of(" \t", at + 7);
  if (pos == std::string::npos || lower[pos] != '=') {
    return std::nullopt;
  }
  pos = lower.find_first_not_of(" \t\"", pos + 1);
  long long seconds = 0;
  const char* begin = lower.data() + (pos == std::string::npos ? lower.size() : pos);
  const auto [end, err] = std::from_chars(begin, lower.data() + lower.size(), seconds);
  if (err != std::errc() || end == begin) {
    return std::nullopt;
  }
  return static_cast<double>(seconds);
}

HttpCheckResult HttpsCheck(const config::EndpointConfig& endpoint,
                           const std::string& server_name,
                           const ResolvedAddress& address,
                           const std::string& netns_path,
                           const ProbeDeadline& deadline) {
  HttpCheckResult result;
  const auto loaded = LoadCurl();
  if (!loaded) {
    result.error = PhaseError{failure::kHttpError, loaded.error().message};
    return result;
  }
  const CurlApi& api = *loaded;
  const std::string host = server_name.empty() ? endpoint.host : server_name;
  const std::string port = std::to_string(endpoint.port);
  const std::string url = "https://" + UrlHost(host) + ":" + port + endpoint.http_path;
  UniqueSlist resolve(nullptr, SlistDeleter{&api});
  UniqueCurl curl =
      NewEasy(api, url, host + ":" + port + ":" + IpOf(address), resolve, netns_path, deadline);
  if (!curl) {
    result.error = PhaseError{failure::kHttpError, "curl_easy_init failed"};
    return result;
  }
  auto set_path = [&](CURLoption option, const std::string& path) {
    if (!path.empty()) {
      api.easy_setopt(curl.get(), option, path.c_str());
    }
  };
  set_path(CURLOPT_CAINFO, endpoint.ca_file);
  set_path(CURLOPT_CAPATH, endpoint.ca_path);
  set_path(CURLOPT_SSLCERT, endpoint.cert_file);
  set_path(CURLOPT_SSLKEY, endpoint.key_file);
  api.easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, OnHeader);
  api.easy_setopt(curl.get(), CURLOPT_HEADERDATA, &result);
  const CURLcode rc = api.easy_perform(curl.get());
  long status = 0;
  api.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_off_t first_byte_us = 0;
  api.easy_getinfo(curl.get(), CURLINFO_STARTTRANSFER_TIME_T, &first_byte_us);
  result.first_byte_seconds = static_cast<double>(first_byte_us) / 1e6;
  if (status > 0) {
    result.status = static_cast<int>(status);
  }
  if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
    result.error =
        PhaseError{rc == CURLE_OPERATION_TIMEDOUT ? failure::kHttpTimeout : failure::kHttpError,
                   std::string("curl: ") + api.easy_strerror(rc)};
  } else if (status >= 400 || status == 0) {
    result.error = PhaseError{failure::kHttpStatus, "HTTP status " + std::to_string(status)};
  }
  return result;
}

std::optional<bool> CompanionRedirectsToHttps(const std::string& server_name,
                                              std::uint16_t companion_port,
                                              const ResolvedAddress& address,
                                              const std::string& netns_path,
                                              const ProbeDeadline& deadline) {
  const auto loaded = LoadCurl();
  if (!loaded) {
    return std::nullopt;
  }
  const CurlApi& api = *loaded;
  const std::string port = std::to_string(companion_port);
  const std::string url = "http://" + UrlHost(server_name) + ":" + port + "/";
  UniqueSlist resolve(nullptr, SlistDeleter{&api});
  UniqueCurl curl = NewEasy(api, url, server_name + ":" + port + ":" + IpOf(address), resolve,
                            netns_path, deadline);
  if (!curl) {
    return std::nullopt;
  }
  const CURLcode rc = api.easy_perform(curl.get());
  long status = 0;
  api.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if ((rc != CURLE_OK && rc != CURLE_WRITE_ERROR) || status == 0) {
    return std::nullopt;
  }
  const char* location = nullptr;
  api.easy_getinfo(curl.get(), CURLINFO_REDIRECT_URL, &location);
  const bool https = location != nullptr && Lower(location).starts_with("https://");
  return status >= 300 && status < 400 && https;
}

}  // namespace portwarden::probe
