#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// The one gate for strings from outside the agent (process names, paths, cgroup and netns
/// names, certificate fields, peer and library error text, config values quoted in errors).
/// Each is passed through Sanitize() once, where it enters the domain; everything past that
/// point may assume valid, bounded UTF-8. Output formats still escape for themselves
/// (JSON, Prometheus text, HTML, terminal). Pure functions, thread-safe.
namespace portwarden::text {

/// The kinds of outside string, each with a documented cap (docs/architecture.md, "Strings
/// from outside"). Caps are bytes of UTF-8 output, truncation mark included.
enum class Kind {
  kProcessName,    ///< /proc/<pid>/comm (the kernel keeps 15 bytes): 64
  kExePath,        ///< /proc/<pid>/exe target: 1024
  kUnit,           ///< systemd unit or container id from /proc/<pid>/cgroup: 256
  kNetnsName,      ///< an entry of /run/netns: 256
  kInterfaceName,  ///< a network interface name (IFNAMSIZ is 16): 64
  kCertName,       ///< one certificate name: a CN, or one subjectAltName entry: 256
  kCertNameList,   ///< the comma-separated subjectAltName list: 1024
  kHttpHeader,     ///< one HTTP response header value (e.g. a redirect's Location): 1024
  kErrorText,      ///< OpenSSL, libcurl, resolver or system error text: 512
  kErrorMessage,   ///< a whole Error message (which may quote any of the above): 2048
  kConfigExcerpt,  ///< a config value quoted back in an error message: 80
};

/// Marks a truncated string: U+2026 HORIZONTAL ELLIPSIS.
inline constexpr std::string_view kTruncationMark = "\xE2\x80\xA6";

/// The cap of `kind`, in bytes.
std::size_t MaxBytes(Kind kind);

/// `raw` as valid UTF-8 of at most `max_bytes` bytes. Every ill-formed sequence (stray
/// continuation bytes, truncated sequences, overlong forms, UTF-16 surrogates, values above
/// U+10FFFF) and every NUL becomes U+FFFD; other control characters are kept (output
/// formats escape them). A longer result is cut on a code point boundary and ends with
/// kTruncationMark, the whole within `max_bytes`. Reads no more of `raw` than it needs.
std::string SanitizeUtf8(std::string_view raw, std::size_t max_bytes);

/// SanitizeUtf8(raw, MaxBytes(kind)).
std::string Sanitize(std::string_view raw, Kind kind);

}  // namespace portwarden::text
