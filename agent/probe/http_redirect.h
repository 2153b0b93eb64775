#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/probe/curl_api.h"

namespace portwarden::probe {

/// Whether `status` is a redirect: 301, 302, 303, 307 or 308 (RFC 9110 section 15.4; 300
/// Multiple Choices and 304 Not Modified point nowhere). Pure.
bool IsRedirectStatus(int status);

/// Resolves a Location value against the URL of the request it answered (RFC 3986 section 5,
/// through libcurl's URL API): absolute ("https://h/"), scheme-relative ("//h/", which keeps
/// the request's scheme) and relative ("/x", "x") references. Surrounding whitespace is
/// ignored. The absolute URL, or nullopt when the value is no URL libcurl can parse.
/// Thread-safe.
std::optional<std::string> ResolveLocation(const CurlApi& api,
                                           const std::string& request_url,
                                           std::string_view location);

/// Whether an absolute URL has the https scheme (any case). Pure.
bool IsHttpsUrl(std::string_view url);

/// The redirect verdict: a redirect status whose resolved Location is an https:// URL,
/// whatever the body. Pure.
bool RedirectsToHttps(int status, const std::optional<std::string>& resolved_location);

}  // namespace portwarden::probe
