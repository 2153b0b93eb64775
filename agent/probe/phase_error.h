#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace portwarden::probe {

/// Why a probe phase failed: a reason from failure_reason.h and the system's or OpenSSL's
/// own text for the log line.
struct PhaseError {
  std::string_view reason;
  std::string detail;
};

template <typename T>
using PhaseResult = std::expected<T, PhaseError>;

}  // namespace portwarden::probe
