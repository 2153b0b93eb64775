#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Key-exchange group detection's result for one group (group_probe.h): plain data, carried
/// by the snapshot (posture report) and rendered by the exporters.
namespace portwarden::probe {

/// Why a group's support could not be determined (the `reason` of
/// portwarden_tls_group_probe_error); the connect reasons of failure_reason.h are used as
/// they are.
namespace group_failure {
inline constexpr std::string_view kNoTls13 = "no_tls13";     ///< Server answered TLS <= 1.2.
inline constexpr std::string_view kTimeout = "timeout";      ///< No complete reply in time.
inline constexpr std::string_view kClosed = "closed";        ///< Closed without any alert.
inline constexpr std::string_view kMalformed = "malformed";  ///< Not a parseable reply.
inline constexpr std::string_view kLocal = "local";          ///< We could not build a share.
inline constexpr std::string_view kCancelled = "cancelled";  ///< Agent shutting down.
}  // namespace group_failure

/// What one group's probe found.
struct GroupVerdict {
  std::string group;              ///< IANA name (groups::Group::name).
  std::optional<bool> supported;  ///< Absent when it could not be determined.
  std::string error_reason;       ///< Set exactly when `supported` is absent.
  std::string detail;             ///< Alert number, parse error or system text, for logs.
};

}  // namespace portwarden::probe
