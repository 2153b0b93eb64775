#pragma once

#include <string>

#include "agent/core/error.h"

namespace portwarden::app {

/// Most bytes FetchState reads (exporters/json/state_reader.h bounds the parse the same way).
inline constexpr std::size_t kMaxFetchBytes = 64 * 1024 * 1024;

/// The /api/state URL for `url`: the URL itself when it names a path, else
/// `<url>/api/state`. "http://host:19443" -> "http://host:19443/api/state".
std::string StateUrl(const std::string& url);

/// GETs StateUrl(url) with libcurl: http or https only (user:password@ in the URL for basic
/// auth; https verified against the system store, or `ca_file`), no redirects, 30 s for the
/// whole transfer, at most kMaxFetchBytes. A status other than 200 is an error.
Result<std::string> FetchState(const std::string& url, const std::string& ca_file);

}  // namespace portwarden::app
