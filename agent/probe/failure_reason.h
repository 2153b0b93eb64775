#pragma once

#include <span>
#include <string_view>

/// The closed set of probe failure reasons, the values of the `reason` label of
/// portwarden_tls_probe_failures_total. docs/metrics.md documents each one.
namespace portwarden::probe::failure {

inline constexpr std::string_view kDns = "dns";                         ///< Resolution failed.
inline constexpr std::string_view kDnsTimeout = "dns_timeout";          ///< No answer in time.
inline constexpr std::string_view kNetns = "netns";                     ///< setns() failed.
inline constexpr std::string_view kConnectRefused = "connect_refused";  ///< RST on SYN.
inline constexpr std::string_view kConnectTimeout = "connect_timeout";  ///< No SYN-ACK in time.
inline constexpr std::string_view kConnectReset = "connect_reset";      ///< RST on accept.
inline constexpr std::string_view kConnectError = "connect_error";      ///< Unreachable, ...
inline constexpr std::string_view kTlsSetup = "tls_setup";        ///< CA/client cert unusable.
inline constexpr std::string_view kTlsTimeout = "tls_timeout";    ///< Handshake too slow.
inline constexpr std::string_view kTlsFlood = "tls_flood";        ///< Peer sent > 1 MiB.
inline constexpr std::string_view kTlsAlert = "tls_alert";        ///< Peer sent an alert.
inline constexpr std::string_view kTlsEof = "tls_eof";            ///< Peer closed early.
inline constexpr std::string_view kTlsProtocol = "tls_protocol";  ///< Not TLS / bad msg.
inline constexpr std::string_view kVerify = "verify";             ///< Chain not trusted.
inline constexpr std::string_view kHttpTimeout = "http_timeout";  ///< No response in time.
inline constexpr std::string_view kHttpError = "http_error";      ///< libcurl failed.
inline constexpr std::string_view kHttpStatus = "http_status";    ///< Status >= 400.
inline constexpr std::string_view kCancelled = "cancelled";       ///< Agent shutting down.

/// Every reason above, in documentation order.
std::span<const std::string_view> All();

}  // namespace portwarden::probe::failure
