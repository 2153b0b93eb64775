#include "agent/probe/verify_reason.h"

#include <array>

#include <openssl/x509_vfy.h>

namespace portwarden::probe {

std::string_view VerifyResultName(long verify_code) {
  switch (verify_code) {
    case X509_V_OK:
      return "ok";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_HAS_EXPIRED:
      return "expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_NOT_YET_VALID:
      return "not_yet_valid";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self_signed";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "self_signed_in_chain";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "untrusted";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "hostname_mismatch";
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_INVALID_PURPOSE:
      return "invalid_ca";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return "bad_signature";
    case X509_V_ERR_CERT_REVOKED:
      return "revoked";
    default:
      return "other";
  }
}

std::span<const std::string_view> AllVerifyResults() {
  static constexpr std::array<std::string_view, 12> kAll{"ok",
                                                         "expired",
                                                         "not_yet_valid",
                                                         "self_signed",
                                                         "self_signed_in_chain",
                                                         "untrusted",
                                                         "hostname_mismatch",
                                                         "invalid_ca",
                                                         "bad_signature",
                                                         "revoked",
                                                         "no_certificate",
                                                         "other"};
  return kAll;
}

}  // namespace portwarden::probe
