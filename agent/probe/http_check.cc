#include "agent/probe/http_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>

#include "agent/core/ascii.h"
#include "agent/core/host_port.h"
#include "agent/probe/curl_api.h"
#include "agent/probe/failure_reason.h"
#include "agent/probe/http_redirect.h"
#include "agent/probe/tcp_connect.h"

namespace portwarden::probe {
namespace {

struct SlistDeleter {
  const CurlApi* api;

  void operator()(curl_slist* list) const { api->slist_free_all(list); }
};

using UniqueSlist = std::unique_ptr<curl_slist, SlistDeleter>;

/// Longest header value kept (Location, Strict-Transport-Security); longer ones are cut.
constexpr std::size_t kMaxHeaderValue = 2048;

/// The headers of the final response. A status line starts a new response (an interim 1xx
/// answer's headers are forgotten), and the first of repeated headers wins.
struct ResponseHeaders {
  std::optional<std::string> hsts;
  std::optional<std::string> location;
};

std::string HeaderValue(std::string_view value) {
  const auto first = value.find_first_not_of(" \t");
  const auto last = value.find_last_not_of(" \t\r\n");
  if (first == std::string_view::npos || last < first) {
    return "";
  }
  return std::string(value.substr(first, std::min(last - first + 1, kMaxHeaderValue)));
}

std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<ResponseHeaders*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    *headers = {};
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    return line.size();
  }
  const std::string name = AsciiLower(line.substr(0, colon));
  std::optional<std::string>* field = name == "strict-transport-security" ? &headers->hsts
                                      : name == "location"                ? &headers->location
                                                                          : nullptr;
  if (field != nullptr && !field->has_value()) {
    *field = HeaderValue(line.substr(colon + 1));
  }
  return line.size();
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
  return address.text.substr(0, address.text.rfind(':'));  // "[v6]" keeps its brackets.
}

std::string UrlHost(const std::string& name) {
  return BracketHost(name);
}

/// CURLOPT_CONNECT_TO's "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT" with HOST and PORT empty
/// (any: the handle makes one request, redirects are not followed): the URL keeps the name
/// for the Host header, SNI and the certificate check while the connection goes to the probed
/// address. Unlike CURLOPT_RESOLVE, this also pins a URL whose host is an IPv6 literal or an
/// internationalised name (which libcurl would match only in its punycode form).
std::string ConnectTo(const std::string& port, const ResolvedAddress& address) {
  return "::" + IpOf(address) + ":" + port;
}

long RemainingMs(const ProbeDeadline& deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline.at - std::chrono::steady_clock::now());
  return std::max<long>(1, static_cast<long>(left.count()));
}

UniqueCurl NewEasy(const CurlApi& api,
                   const std::string& url,
                   const std::string& connect_to_entry,
                   UniqueSlist& connect_to,
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
  connect_to = UniqueSlist(api.slist_append(nullptr, connect_to_entry.c_str()), SlistDeleter{&api});
  api.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  api.easy_setopt(curl.get(), CURLOPT_CONNECT_TO, connect_to.get());
  api.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, RemainingMs(deadline));
  api.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, OnBody);
  api.easy_setopt(curl.get(), CURLOPT_USERAGENT, "portwarden");
  api.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  return curl;
}

/// How long the request took, when one was sent: to its first byte, else to the give-up.
std::optional<double> RequestSeconds(const CurlApi& api, CURL* curl) {
  long request_bytes = 0;
  api.easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &request_bytes);
  if (request_bytes <= 0) {
    return std::nullopt;
  }
  curl_off_t first_byte_us = 0;
  api.easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME_T, &first_byte_us);
  if (first_byte_us <= 0) {
    api.easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &first_byte_us);
  }
  return static_cast<double>(first_byte_us) / 1e6;
}

}  // namespace

std::optional<double> ParseHstsMaxAge(std::string_view value) {
  const std::string lower = AsciiLower(value);
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
  const std::string host = UrlHost(server_name.empty() ? endpoint.host : server_name);
  const std::string port = std::to_string(endpoint.port);
  const std::string url = "https://" + host + ":" + port + endpoint.http_path;
  UniqueSlist connect_to(nullptr, SlistDeleter{&api});
  UniqueCurl curl = NewEasy(api, url, ConnectTo(port, address), connect_to, netns_path, deadline);
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
  ResponseHeaders headers;
  api.easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, OnHeader);
  api.easy_setopt(curl.get(), CURLOPT_HEADERDATA, &headers);
  const CURLcode rc = api.easy_perform(curl.get());
  long status = 0;
  api.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  result.seconds = RequestSeconds(api, curl.get());
  if (status > 0) {
    result.status = static_cast<int>(status);
    result.hsts = headers.hsts.has_value();
    result.hsts_max_age = headers.hsts ? ParseHstsMaxAge(*headers.hsts) : std::nullopt;
  }
  // CURLE_WRITE_ERROR is OnBody stopping the transfer at the body, once the headers are in.
  if (rc != CURLE_OK && rc != CURLE_WRITE_ERROR) {
    result.error =
        PhaseError{rc == CURLE_OPERATION_TIMEDOUT ? failure::kHttpTimeout : failure::kHttpError,
                   std::string("curl: ") + api.easy_strerror(rc)};
  } else if (status >= 400 || status == 0) {
    result.error = PhaseError{failure::kHttpStatus, "HTTP status " + std::to_string(status)};
  }
  return result;
}

std::optional<CompanionAnswer> CheckCompanion(const std::string& server_name,
                                              std::uint16_t companion_port,
                                              const ResolvedAddress& address,
                                              const std::string& netns_path,
                                              const ProbeDeadline& deadline) {
  const auto loaded = LoadCurl();
  if (!loaded) {
    return std::nullopt;
  }
  const CurlApi& api = *loaded;
  const std::string host = UrlHost(server_name);
  const std::string port = std::to_string(companion_port);
  const std::string url = "http://" + host + ":" + port + "/";
  UniqueSlist connect_to(nullptr, SlistDeleter{&api});
  UniqueCurl curl = NewEasy(api, url, ConnectTo(port, address), connect_to, netns_path, deadline);
  if (!curl) {
    return std::nullopt;
  }
  // The verdict is read from the headers themselves: libcurl computes its own redirect URL
  // only for a transfer that completes, and OnBody stops it at the first byte of the body
  // that nginx and Apache send with every redirect.
  ResponseHeaders headers;
  api.easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, OnHeader);
  api.easy_setopt(curl.get(), CURLOPT_HEADERDATA, &headers);
  const CURLcode rc = api.easy_perform(curl.get());
  long status = 0;
  api.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if ((rc != CURLE_OK && rc != CURLE_WRITE_ERROR) || status == 0) {
    return std::nullopt;
  }
  CompanionAnswer answer{IpOf(address) + ":" + port, static_cast<int>(status), "", false};
  if (headers.location) {
    const auto resolved = ResolveLocation(api, url, *headers.location);
    answer.location = resolved.value_or(*headers.location);
    answer.redirects_to_https = RedirectsToHttps(answer.status, resolved);
  }
  return answer;
}

}  // namespace portwarden::probe
