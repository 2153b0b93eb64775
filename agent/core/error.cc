#include "agent/core/error.h"

#include <cstring>
#include <string>

namespace portwarden {

Error ErrnoError(int err, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += std::strerror(err);  // NOLINT(concurrency-mt-unsafe): glibc returns static strings
  return Error{text::Sanitize(message, text::Kind::kErrorMessage), err};
}

}  // namespace portwarden
