#pragma once

#include <unistd.h>

#include <utility>

namespace portwarden {

/// Owns one file descriptor and closes it on destruction. Move-only; not thread-safe.
class UniqueFd {
 public:
  UniqueFd() = default;

  explicit UniqueFd(int fd) : fd_(fd) {}

  ~UniqueFd() { Reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }

  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  /// The descriptor, still owned; -1 when empty.
  int get() const { return fd_; }

  /// True when a descriptor is owned.
  bool valid() const { return fd_ >= 0; }

  /// Gives up ownership: returns the descriptor, which the caller must close.
  int Release() { return std::exchange(fd_, -1); }

  /// Closes the owned descriptor (if any) and takes `fd` (-1: own nothing).
  void Reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace portwarden
