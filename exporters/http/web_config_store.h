#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "agent/core/error.h"
#include "exporters/http/tls_server_context.h"
#include "exporters/http/web_config.h"

namespace portwarden::exporters::http {

/// A web config as served: the parsed file and, when it enables TLS, its SSL_CTX.
struct LoadedWebConfig {
  WebConfig config;
  std::shared_ptr<SSL_CTX> ssl_ctx;  ///< null when the file configures no TLS
};

/// Reads a web config file and everything it names (YAML, certificate, key, client CAs) and
/// validates it all: what start-up and --config.check need. Errors begin with the file name.
Result<LoadedWebConfig> LoadWebConfigFile(const std::string& path);

/// The web config file, re-read whenever it or a file it names changes, as exporter-toolkit
/// re-reads it for every connection and request, so a renewed certificate needs no restart.
/// A change is seen by stat() (device, inode, size, mtime, ctime) at each Current() call,
/// which costs a few stat calls instead of a parse. Thread-safe.
class WebConfigStore {
 public:
  /// Loads `path`; the error is the start-up error.
  static Result<std::unique_ptr<WebConfigStore>> Open(const std::string& path);

  /// The config now in force. When the file has changed and no longer loads, this is the error
  /// (logged once per change): like exporter-toolkit, the server then refuses connections
  /// (TLS) or answers 500 rather than serve under settings nobody wrote.
  Result<std::shared_ptr<const LoadedWebConfig>> Current();

  /// Whether the file enabled TLS at start. The listeners keep this mode until restart.
  bool tls() const { return tls_; }

  const std::string& path() const { return path_; }

 private:
  using FileStamp = std::tuple<dev_t, ino_t, off_t, long, long, long, long>;

  explicit WebConfigStore(std::string path) : path_(std::move(path)) {}

  std::vector<FileStamp> Stamp(const WebConfig* config) const;

  std::string path_;
  bool tls_ = false;
  std::mutex mutex_;
  std::vector<FileStamp> stamp_;
  std::shared_ptr<const LoadedWebConfig> last_good_;  ///< also names the files to watch
  bool valid_ = true;  ///< false while the file, as it is now, does not load
  Error error_;
};

}  // namespace portwarden::exporters::http
