#pragma once

#include <optional>
#include <string>

#include "agent/config/endpoint_config.h"
#include "agent/probe/address_resolution.h"
#include "agent/probe/phase_error.h"
#include "agent/probe/probe_deadline.h"

namespace portwarden::probe {

/// The outcome of GET https://server_name:port/path through libcurl.
struct HttpCheckResult {
  std::optional<PhaseError> error;
  std::optional<int> status;
  bool hsts = false;
  std::optional<double> hsts_max_age;
  /// From the start of the request (libcurl's own connection and handshake included) to the
  /// first byte of the answer, or to the give-up when none came; absent when no request was
  /// sent (libcurl not loaded, its connection or certificate check failed).
  std::optional<double> seconds;
};

/// Sends one GET to the endpoint, pinned to `address`, with full certificate verification
/// against the endpoint's CA settings (no verification shortcut). Reads the status code and
/// Strict-Transport-Security; abandons the body. Status >= 400 is an `http_status` failure.
/// A non-empty `netns_path` makes libcurl connect from inside that network namespace (a
/// discovered listener's). Thread-safe (one easy handle per call; curl_global_init must have
/// run).
HttpCheckResult HttpsCheck(const config::EndpointConfig& endpoint,
                           const std::string& server_name,
                           const ResolvedAddress& address,
                           const std::string& netns_path,
                           const ProbeDeadline& deadline);

/// What the plain-HTTP companion answered.
struct CompanionAnswer {
  std::string address;  ///< "192.0.2.1:80" / "[2001:db8::1]:80": where the GET went.
  int status = 0;
  /// Location resolved against the request URL; as sent when it does not resolve; "" when
  /// there was none.
  std::string location;
  bool redirects_to_https = false;  ///< See RedirectsToHttps().
};

/// GET http://server_name:companion_port/ pinned to the address's IP (the Host header names
/// server_name, as a browser's would): redirects to https when the answer is a redirect
/// status whose Location resolves to an https:// URL, whatever the body. nullopt when no
/// answer at all. Connects from inside `netns_path` when it is not empty. Thread-safe.
std::optional<CompanionAnswer> CheckCompanion(const std::string& server_name,
                                              std::uint16_t companion_port,
                                              const ResolvedAddress& address,
                                              const std::string& netns_path,
                                              const ProbeDeadline& deadline);

/// Parses max-age out of a Strict-Transport-Security value; nullopt when absent or invalid.
std::optional<double> ParseHstsMaxAge(std::string_view value);

}  // namespace portwarden::probe
