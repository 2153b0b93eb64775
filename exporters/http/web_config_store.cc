#include "exporters/http/web_config_store.h"

#include <sys/stat.h>

#include "agent/core/bounded_file.h"
#include "agent/core/log.h"

namespace portwarden::exporters::http {
namespace {

constexpr std::size_t kMaxWebConfigBytes = 1 << 20;

std::string Directory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Result<LoadedWebConfig> LoadWebConfigFile(const std::string& path) {
  auto text = ReadBoundedText(path, kMaxWebConfigBytes);
  if (!text) {
    return Fail(path + ": " + text.error().message);
  }
  auto config = ParseWebConfig(*text, path, Directory(path));
  if (!config) {
    return std::unexpected(config.error());
  }
  LoadedWebConfig loaded{.config = std::move(*config), .ssl_ctx = nullptr};
  if (loaded.config.tls.Enabled()) {
    auto ctx = BuildServerContext(loaded.config.tls);
    if (!ctx) {
      return Fail(path + ": " + ctx.error().message);
    }
    loaded.ssl_ctx = std::shared_ptr<SSL_CTX>(ctx->release(), SslCtxFree());
  }
  return loaded;
}

Result<std::unique_ptr<WebConfigStore>> WebConfigStore::Open(const std::string& path) {
  std::unique_ptr<WebConfigStore> store(new WebConfigStore(path));
  auto loaded = LoadWebConfigFile(path);
  if (!loaded) {
    return std::unexpected(loaded.error());
  }
  store->tls_ = loaded->ssl_ctx != nullptr;
  store->last_good_ = std::make_shared<const LoadedWebConfig>(std::move(*loaded));
  store->stamp_ = store->Stamp(&store->last_good_->config);
  return store;
}

std::vector<WebConfigStore::FileStamp> WebConfigStore::Stamp(const WebConfig* config) const {
  const std::vector<std::string> files{path_, config->tls.cert_file, config->tls.key_file,
                                       config->tls.client_ca_file};
  std::vector<FileStamp> stamp;
  for (const std::string& file : files) {
    struct stat st {};

    if (file.empty() || ::stat(file.c_str(), &st) != 0) {
      stamp.emplace_back();
      continue;
    }
    stamp.emplace_back(st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                       st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
  }
  return stamp;
}

Result<std::shared_ptr<const LoadedWebConfig>> WebConfigStore::Current() {
  std::lock_guard lock(mutex_);
  std::vector<FileStamp> now = Stamp(&last_good_->config);
  if (now != stamp_) {
    auto loaded = LoadWebConfigFile(path_);
    if (loaded) {
      last_good_ = std::make_shared<const LoadedWebConfig>(std::move(*loaded));
      now = Stamp(&last_good_->config);  // the files the new config names
      log::Info("Web config reloaded", {{"file", path_}});
    } else {
      error_ = loaded.error();
      log::Error("Web config is invalid; refusing requests until it is fixed",
                 {{"err", error_.message}});
    }
    valid_ = loaded.has_value();
    stamp_ = std::move(now);
  }
  if (!valid_) {
    return std::unexpected(error_);
  }
  return last_good_;
}

}  // namespace portwarden::exporters::http
