#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "agent/core/error.h"

/// The one reader for small files named by an operator (config, web config, PEM files,
/// certificate files): bounded in memory and never blocked by a FIFO or a device.
namespace portwarden {

/// Which step of ReadBoundedFile failed.
enum class FileReadFailure : std::uint8_t {
  kOpen,        ///< open(2) failed: `err` says why (ENOENT, EACCES, ELOOP, ...).
  kStat,        ///< fstat(2) failed: `err`.
  kNotRegular,  ///< A directory, FIFO, device or socket: `mode` says which.
  kTooLarge,    ///< More than the cap: `size` is what fstat said or what was read.
  kRead,        ///< read(2) failed: `err`.
};

/// Why a bounded read failed; callers word the message for their own context.
struct FileReadError {
  FileReadFailure failure = FileReadFailure::kOpen;
  int err = 0;             ///< errno for kOpen, kStat, kRead.
  mode_t mode = 0;         ///< File type for kNotRegular.
  std::uint64_t size = 0;  ///< Bytes for kTooLarge.
};

/// The identity of a file's content as fstat(2) saw it when it was read, to notice a change
/// with one stat(2) later (a renewed certificate replaced by rename gets a new inode).
struct FileStamp {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

/// The bytes of a file and the stamp of what was read.
struct BoundedFile {
  std::string bytes;
  FileStamp stamp;
};

/// Reads a regular file of at most `max_bytes`, following symlinks. O_NONBLOCK makes open()
/// of a FIFO return at once (instead of waiting for a writer), and fstat() refuses anything
/// that is not a regular file before a byte is read, so /dev/zero or a FIFO can neither grow
/// memory nor hold the thread. The file is read to end-of-file (procfs files claim size 0)
/// but never past `max_bytes` + 1 bytes, so a file growing while read is kTooLarge too.
/// Thread-safe.
std::expected<BoundedFile, FileReadError> ReadBoundedFile(const std::string& path,
                                                          std::size_t max_bytes);

/// The stamp of `path` now (stat(2), following symlinks); nullopt-like error as errno.
std::expected<FileStamp, int> StampOf(const std::string& path);

/// "a directory", "a FIFO", "a character device", "a block device", "a socket" or
/// "not a regular file".
std::string_view FileKind(mode_t mode);

/// A one-line English description of `error` ("No such file or directory", "is a
/// directory", "larger than 4194304 bytes", ...), without the path.
std::string DescribeFileReadError(const FileReadError& error, std::size_t max_bytes);

/// ReadBoundedFile's bytes alone, or an Error whose message is DescribeFileReadError and
/// whose code is the errno (0 for a file that is not regular or too large).
Result<std::string> ReadBoundedText(const std::string& path, std::size_t max_bytes);

}  // namespace portwarden
