#pragma once

#include <string>

namespace portwarden {

/// OpenSSL's text for the last error on this thread's error queue ("unknown error" when the
/// queue is empty), e.g. "error:0480006C:PEM routines::no start line"; then clears the queue
/// (it is per thread), so a later call says nothing of this failure.
std::string OpenSslLastError();

}  // namespace portwarden
