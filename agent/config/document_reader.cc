// The one way config bytes (the config file, the baseline) enter the agent: a bounded read of
// a regular file, the bounds on the document (size, nesting), then toml++, whose exceptions
// are caught here.
#include "agent/config/document_reader.h"

#include "agent/config/document_bounds.h"
#include "agent/core/bounded_file.h"

namespace portwarden::config {
namespace {

// Reads the file through the agent's one bounded reader (agent/core/bounded_file.h), which
// refuses FIFOs, devices and oversized files before a byte is read, so /dev/zero or a FIFO can
// neither grow memory nor hold the thread (and with it SIGTERM, which the reloading main
// thread also waits for).
Result<std::string> ReadBounded(const std::string& path) {
  auto file = portwarden::ReadBoundedFile(path, kMaxConfigBytes);
  if (file) {
    return std::move(file->bytes);
  }
  const FileReadError& error = file.error();
  switch (error.failure) {
    case FileReadFailure::kOpen:
      return std::unexpected(ErrnoError(error.err, path + ": cannot open config file"));
    case FileReadFailure::kStat:
      return std::unexpected(ErrnoError(error.err, path + ": cannot stat config file"));
    case FileReadFailure::kRead:
      return std::unexpected(ErrnoError(error.err, path + ": cannot read config file"));
    case FileReadFailure::kNotRegular:
      return Fail(path + ": is " + std::string(FileKind(error.mode)) +
                  "; a config file must be a regular file");
    case FileReadFailure::kTooLarge:
      break;
  }
  return Fail(path + ": " + std::to_string(error.size) +
              " bytes is more than a config file may have (" +
              std::to_string(kMaxConfigBytes / (1024 * 1024)) + " MiB)");
}

}  // namespace

Result<std::string> ReadBoundedFile(const std::string& path) {
  return BoundedMessage(ReadBounded(path));
}

Result<toml::table> ParseTomlDocument(std::string_view text, const std::string& name) {
  if (auto bounded = CheckDocumentBounds(text, name); !bounded) {
    return std::unexpected(bounded.error());
  }
  try {
    return toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    const auto& begin = error.source().begin;
    return Fail(name + ":" + std::to_string(begin.line) + ":" + std::to_string(begin.column) +
                ": " + std::string(error.description()));
  }
}

}  // namespace portwarden::config
