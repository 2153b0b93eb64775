#include "agent/probe/http_redirect.h"

#include <cctype>
#include <memory>

namespace portwarden::probe {
namespace {

struct UrlDeleter {
  const CurlApi* api;

  void operator()(CURLU* url) const { api->url_cleanup(url); }
};

using UniqueUrl = std::unique_ptr<CURLU, UrlDeleter>;

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

bool IsRedirectStatus(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::optional<std::string> ResolveLocation(const CurlApi& api,
                                           const std::string& request_url,
                                           std::string_view location) {
  UniqueUrl url(api.url(), UrlDeleter{&api});
  if (!url || api.url_set(url.get(), CURLUPART_URL, request_url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  // Setting a URL on a handle that holds one resolves it as a reference against that one.
  // On failure the handle keeps the request URL, so the result must not be read then.
  const std::string reference(Trim(location));
  constexpr unsigned kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE;
  if (api.url_set(url.get(), CURLUPART_URL, reference.c_str(), kFlags) != CURLUE_OK) {
    return std::nullopt;
  }
  char* text = nullptr;
  if (api.url_get(url.get(), CURLUPART_URL, &text, 0) != CURLUE_OK || text == nullptr) {
    return std::nullopt;
  }
  std::string resolved(text);
  api.free(text);
  return resolved;
}

bool IsHttpsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kScheme[i]) {
      return false;
    }
  }
  return true;
}

bool RedirectsToHttps(int status, const std::optional<std::string>& resolved_location) {
  return IsRedirectStatus(status) && resolved_location && IsHttpsUrl(*resolved_location);
}

}  // namespace portwarden::probe
