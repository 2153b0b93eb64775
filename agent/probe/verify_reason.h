#pragma once

#include <span>
#include <string_view>

/// Maps OpenSSL's X509_V_ERR_* codes onto the closed set of `result` values of
/// portwarden_tls_verify_result_info: ok, expired, not_yet_valid, self_signed,
/// self_signed_in_chain, untrusted, hostname_mismatch, invalid_ca, bad_signature,
/// revoked, no_certificate, other.
namespace portwarden::probe {

/// The result value for an X509_V_ERR_* code (X509_V_OK gives "ok").
std::string_view VerifyResultName(long verify_code);

/// Every value VerifyResultName can return, plus "no_certificate", in documentation order.
std::span<const std::string_view> AllVerifyResults();

}  // namespace portwarden::probe
