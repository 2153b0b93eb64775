// Config loading: the one place toml++ exceptions are caught, and the one place config bytes
// enter the agent, so the bounds on them (regular file, size, nesting) are checked here.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include <toml++/toml.h>

#include "agent/config/config.h"
#include "agent/config/document_bounds.h"
#include "agent/config/excerpt.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Status ReadDocument(const TomlReader& reader, const toml::table& root, Config& config) {
  return reader
      .CheckKeys(root, "the top level",
                 {"agent", "web", "discovery", "inventory", "endpoints", "exposure"})
      .and_then([&] {
        return TomlReader::IfPresent(root, "agent", [&](const toml::node& n) {
          return ReadAgentSection(reader, n, config.agent);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "web", [&](const toml::node& n) {
          return ReadWebSection(reader, n, config.web);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "discovery", [&](const toml::node& n) {
          return ReadDiscoverySection(reader, n, config.discovery);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "inventory", [&](const toml::node& n) {
          return ReadInventorySection(reader, n, config.inventory);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "endpoints", [&](const toml::node& n) {
          return ReadEndpointsSection(reader, n, config.endpoints);
        });
      })
      .and_then([&] {
        return TomlReader::IfPresent(root, "exposure", [&](const toml::node& n) {
          return ReadExposureSection(reader, n, config.exposure);
        });
      });
}

Result<Config> ParseDocument(std::string_view text, const std::string& name) {
  if (auto bounded = CheckDocumentBounds(text, name); !bounded) {
    return std::unexpected(bounded.error());
  }
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return Fail(name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                ": " + std::string(error.description()));
  }
  Config config = Defaults();
  config.source = name;
  const TomlReader reader(name);
  if (auto status = ReadDocument(reader, root, config); !status) {
    return std::unexpected(status.error());
  }
  if (!config.discovery.namespaces_set) {
    config.discovery.namespaces = Defaults().discovery.namespaces;
  }
  return config;
}

// Closes the descriptor it was given; used only in ReadBounded.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}

  ~ScopedFd() { ::close(fd_); }

  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;

  int get() const { return fd_; }

 private:
  int fd_;
};

std::string_view FileKind(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISCHR(mode)) {
    return "a character device";
  }
  if (S_ISBLK(mode)) {
    return "a block device";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "not a regular file";
}

// Reads a regular file of at most kMaxConfigBytes. O_NONBLOCK makes open() of a FIFO return
// at once (instead of waiting for a writer), and fstat() refuses anything that is not a
// regular file before a byte is read, so /dev/zero or a FIFO can neither grow memory nor hold
// the thread (and with it SIGTERM, which the reloading main thread also waits for).
Result<std::string> ReadBounded(const std::string& path) {
  const int raw = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (raw < 0) {
    return std::unexpected(ErrnoError(errno, path + ": cannot open config file"));
  }
  const ScopedFd fd(raw);

  struct stat info {};

  if (::fstat(fd.get(), &info) != 0) {
    return std::unexpected(ErrnoError(errno, path + ": cannot stat config file"));
  }
  if (!S_ISREG(info.st_mode)) {
    return Fail(path + ": is " + std::string(FileKind(info.st_mode)) +
                "; a config file must be a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) > kMaxConfigBytes) {
    return Fail(path + ": " + std::to_string(info.st_size) +
                " bytes is more than a config file may have (" +
                std::to_string(kMaxConfigBytes / (1024 * 1024)) + " MiB)");
  }
  // The file may grow while read (and procfs files claim size 0): read at most one byte past
  // the cap, and let the bounds check on the text report it.
  constexpr std::size_t kLimit = kMaxConfigBytes + 1;
  std::string text(static_cast<std::size_t>(info.st_size) + 1, '\0');
  std::size_t used = 0;
  while (used < kLimit) {
    if (used == text.size()) {
      text.resize(std::min(2 * text.size(), kLimit));
    }
    const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, path + ": cannot read config file"));
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

// Every message quotes a bounded, valid UTF-8 excerpt, whatever was in the file.
template <typename T>
Result<T> Bounded(Result<T> result) {
  if (!result) {
    result.error().message = Excerpt(result.error().message, kMessageChars);
  }
  return result;
}

}  // namespace

Config Defaults() {
  Config config;
  // Every namespace: one that cannot be entered is read through a member process's /proc.
  config.discovery.namespaces = NamespaceMode::kAll;
  return config;
}

Result<Config> LoadString(std::string_view text, const std::string& name) {
  return Bounded(ParseDocument(text, name));
}

Result<std::string> ReadBoundedFile(const std::string& path) {
  return Bounded(ReadBounded(path));
}

Result<Config> LoadFile(const std::string& path) {
  if (path.empty()) {
    return Fail("config file path is empty");
  }
  auto text = Bounded(ReadBounded(path));
  if (!text) {
    return std::unexpected(text.error());
  }
  return LoadString(*text, path);
}

}  // namespace portwarden::config
