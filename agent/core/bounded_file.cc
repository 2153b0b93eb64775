#include "agent/core/bounded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/core/unique_fd.h"

namespace portwarden {
namespace {

FileStamp StampFromStat(const struct stat& info) {
  return {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::int64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
          static_cast<std::int64_t>(info.st_ctim.tv_sec) * 1'000'000'000 + info.st_ctim.tv_nsec};
}

// Reads to end-of-file, at most `limit` bytes; the first buffer is the size fstat claimed.
std::expected<std::string, FileReadError> ReadAll(int fd, std::size_t claimed, std::size_t limit) {
  std::string text(std::min(claimed + 1, limit), '\0');
  std::size_t used = 0;
  while (used < limit) {
    if (used == text.size()) {
      text.resize(std::min(2 * text.size() + 1, limit));
    }
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(FileReadError{FileReadFailure::kRead, errno});
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  return text;
}

}  // namespace

std::expected<BoundedFile, FileReadError> ReadBoundedFile(const std::string& path,
                                                          std::size_t max_bytes) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(FileReadError{FileReadFailure::kOpen, errno});
  }

  struct stat info {};

  if (::fstat(fd.get(), &info) != 0) {
    return std::unexpected(FileReadError{FileReadFailure::kStat, errno});
  }
  if (!S_ISREG(info.st_mode)) {
    return std::unexpected(FileReadError{FileReadFailure::kNotRegular, 0, info.st_mode});
  }
  if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
    return std::unexpected(FileReadError{FileReadFailure::kTooLarge, 0, info.st_mode,
                                         static_cast<std::uint64_t>(info.st_size)});
  }
  auto text = ReadAll(fd.get(), static_cast<std::size_t>(info.st_size), max_bytes + 1);
  if (!text) {
    return std::unexpected(text.error());
  }
  if (text->size() > max_bytes) {
    return std::unexpected(
        FileReadError{FileReadFailure::kTooLarge, 0, info.st_mode, text->size()});
  }
  return BoundedFile{std::move(*text), StampFromStat(info)};
}

std::expected<FileStamp, int> StampOf(const std::string& path) {
  struct stat info {};

  if (::stat(path.c_str(), &info) != 0) {
    return std::unexpected(errno);
  }
  return StampFromStat(info);
}

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

std::string DescribeFileReadError(const FileReadError& error, std::size_t max_bytes) {
  switch (error.failure) {
    case FileReadFailure::kOpen:
    case FileReadFailure::kStat:
    case FileReadFailure::kRead:
      return std::strerror(error.err);  // NOLINT(concurrency-mt-unsafe): static strings in glibc
    case FileReadFailure::kNotRegular:
      return "not a regular file (" + std::string(FileKind(error.mode)) + ")";
    case FileReadFailure::kTooLarge:
      return "larger than " + std::to_string(max_bytes) + " bytes";
  }
  return "unreadable";
}

Result<std::string> ReadBoundedText(const std::string& path, std::size_t max_bytes) {
  auto file = ReadBoundedFile(path, max_bytes);
  if (!file) {
    return Fail(DescribeFileReadError(file.error(), max_bytes), file.error().err);
  }
  return std::move(file->bytes);
}

}  // namespace portwarden
