#include "agent/probe/crl_fetch.h"

#include <algorithm>
#include <chrono>

#include "agent/probe/curl_api.h"
#include "agent/probe/revocation_result.h"

namespace portwarden::probe {
namespace {

struct Body {
  std::string bytes;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

std::size_t OnBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t length = size * count;
  if (body->bytes.size() + length > body->max_bytes) {
    body->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  body->bytes.append(data, length);
  return length;
}

long RemainingMs(const ProbeDeadline& deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline.at - std::chrono::steady_clock::now());
  return std::max<long>(1, static_cast<long>(left.count()));
}

std::unexpected<PhaseError> Error(std::string_view reason, std::string detail) {
  return std::unexpected(PhaseError{reason, std::move(detail)});
}

}  // namespace

PhaseResult<std::string> FetchCrl(const std::string& url,
                                  std::size_t max_bytes,
                                  const ProbeDeadline& deadline) {
  const auto loaded = LoadCurl();
  if (!loaded) {
    return Error(crl_failure::kFetch, loaded.error().message);
  }
  const CurlApi& api = *loaded;
  UniqueCurl curl(api.easy_init(), CurlDeleter{&api});
  if (!curl) {
    return Error(crl_failure::kFetch, "curl_easy_init failed");
  }
  Body body{"", max_bytes, false};
  api.easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  api.easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http");
  api.easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  api.easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, RemainingMs(deadline));
  api.easy_setopt(curl.get(), CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  api.easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, OnBody);
  api.easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  api.easy_setopt(curl.get(), CURLOPT_USERAGENT, "portwarden");
  const CURLcode rc = api.easy_perform(curl.get());
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return Error(crl_failure::kTooLarge, "CRL larger than " + std::to_string(max_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    return Error(crl_failure::kFetch, std::string("curl: ") + api.easy_strerror(rc));
  }
  long status = 0;
  api.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return Error(crl_failure::kHttpStatus, "HTTP status " + std::to_string(status));
  }
  return std::move(body.bytes);
}

}  // namespace portwarden::probe
