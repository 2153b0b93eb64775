#include "agent/core/openssl_error.h"

#include <openssl/err.h>

namespace portwarden {

std::string OpenSslLastError() {
  std::string reason = "unknown error";
  if (const unsigned long code = ERR_peek_last_error(); code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    reason = buffer;
  }
  ERR_clear_error();
  return reason;
}

}  // namespace portwarden
