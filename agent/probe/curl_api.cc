#include "agent/probe/curl_api.h"

#include <dlfcn.h>

#include <string>

namespace portwarden::probe {
namespace {

constexpr const char* kLibrary = "libcurl.so.4";

template <typename Function>
bool Bind(void* library, const char* name, Function& function, std::string& missing) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  if (function == nullptr && missing.empty()) {
    missing = name;
  }
  return function != nullptr;
}

Result<CurlApi> Load() {
  // Deliberately never dlclose()d: curl keeps global state and threads may still use it.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    return Fail(std::string("cannot load libcurl: ") + ::dlerror());
  }
  CurlApi api;
  std::string missing;
  decltype(&curl_global_init) global_init = nullptr;
  const bool bound = Bind(library, "curl_global_init", global_init, missing) &
                     Bind(library, "curl_easy_init", api.easy_init, missing) &
                     Bind(library, "curl_easy_cleanup", api.easy_cleanup, missing) &
                     Bind(library, "curl_easy_setopt", api.easy_setopt, missing) &
                     Bind(library, "curl_easy_perform", api.easy_perform, missing) &
                     Bind(library, "curl_easy_getinfo", api.easy_getinfo, missing) &
                     Bind(library, "curl_easy_strerror", api.easy_strerror, missing) &
                     Bind(library, "curl_slist_append", api.slist_append, missing) &
                     Bind(library, "curl_slist_free_all", api.slist_free_all, missing) &
                     Bind(library, "curl_url", api.url, missing) &
                     Bind(library, "curl_url_cleanup", api.url_cleanup, missing) &
                     Bind(library, "curl_url_set", api.url_set, missing) &
                     Bind(library, "curl_url_get", api.url_get, missing) &
                     Bind(library, "curl_free", api.free, missing);
  if (!bound) {
    return Fail(std::string(kLibrary) + " has no " + missing);
  }
  if (const CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
    return Fail("curl_global_init failed with code " + std::to_string(rc));
  }
  return api;
}

}  // namespace

Result<std::reference_wrapper<const CurlApi>> LoadCurl() {
  static const Result<CurlApi> loaded = Load();  // once, thread-safe (C++11 static init)
  if (!loaded) {
    return std::unexpected(loaded.error());
  }
  return std::cref(*loaded);
}

}  // namespace portwarden::probe
