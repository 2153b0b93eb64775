#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "agent/core/text_sanitize.h"

namespace portwarden {

/// An error carried across module boundaries as a value.
/// `message` is complete and human readable; `code` is an errno value when one applies.
/// Built by Fail() or ErrnoError(), `message` is valid UTF-8 of at most
/// text::MaxBytes(text::Kind::kErrorMessage) bytes, whatever it quotes.
struct Error {
  std::string message;
  int code = 0;
};

/// A value or the reason there is none.
template <typename T>
using Result = std::expected<T, Error>;

/// Success or the reason for failure. Adds the `and_then` chaining that libstdc++ 12's
/// std::expected lacks, so validation steps read as one pipeline.
class Status : public std::expected<void, Error> {
 public:
  using std::expected<void, Error>::expected;
  Status() = default;

  /// Runs `next` (returning Status) only if this one succeeded.
  template <typename Next>
  Status and_then(Next&& next) const {
    if (!has_value()) {
      return *this;
    }
    return next();
  }
};

/// Builds an Error from a saved errno: "<what>: <strerror(err)>".
Error ErrnoError(int err, std::string_view what);

/// Shorthand for `std::unexpected(Error{...})`, with `message` sanitized and bounded.
inline std::unexpected<Error> Fail(std::string_view message, int code = 0) {
  return std::unexpected(Error{text::Sanitize(message, text::Kind::kErrorMessage), code});
}

}  // namespace portwarden
