#pragma once

#include <functional>
#include <memory>

#include <curl/curl.h>

#include "agent/core/error.h"

namespace portwarden::probe {

/// The libcurl entry points the HTTP checks use.
struct CurlApi {
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  decltype(&curl_url) url = nullptr;  ///< The URL API resolves Location references.
  decltype(&curl_url_cleanup) url_cleanup = nullptr;
  decltype(&curl_url_set) url_set = nullptr;
  decltype(&curl_url_get) url_get = nullptr;
  decltype(&curl_free) free = nullptr;
};

/// libcurl, loaded (dlopen of libcurl.so.4, then curl_global_init) by the first call rather
/// than at program start: libcurl and the two dozen libraries it pulls in cost every start-up
/// about 8 ms of relocation and page faults, which `portwarden scan`, `--version` and an agent
/// without HTTP checks never need. Thread-safe; the library then stays loaded for the life of
/// the process, as a linked one would. The error says why it could not be loaded.
Result<std::reference_wrapper<const CurlApi>> LoadCurl();

/// Owns an easy handle of `api` (curl_easy_cleanup on destruction).
struct CurlDeleter {
  const CurlApi* api;

  void operator()(CURL* curl) const { api->easy_cleanup(curl); }
};

using UniqueCurl = std::unique_ptr<CURL, CurlDeleter>;

}  // namespace portwarden::probe
