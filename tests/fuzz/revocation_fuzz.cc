// What revocation checking reads from outside: a downloaded CRL (crl::Parse, its update times,
// the lookup) and the OCSP response a server staples (EvaluateStaple against a chain made
// here). The first byte picks which; the rest is the hostile DER/PEM.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"
#include "agent/probe/crl.h"
#include "agent/probe/ocsp_staple.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using portwarden::UniqueX509;
using portwarden::UniqueX509Stack;

X509* Certificate(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), issuer == nullptr ? 1 : 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * 3650);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(issuer != nullptr ? issuer : cert));
  X509_set_pubkey(cert, key);
  X509_sign(cert, issuer_key, EVP_sha256());
  return cert;
}

/// [leaf, its issuer], made once.
STACK_OF(X509) * Chain() {
  static STACK_OF(X509)* chain = [] {
    EVP_PKEY* ca_key = EVP_EC_gen("P-256");
    EVP_PKEY* leaf_key = EVP_EC_gen("P-256");
    X509* ca = Certificate("fuzz CA", ca_key, nullptr, ca_key);
    STACK_OF(X509)* stack = sk_X509_new_null();
    sk_X509_push(stack, Certificate("fuzz.test", leaf_key, ca, ca_key));
    sk_X509_push(stack, ca);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    return stack;
  }();
  return chain;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string_view bytes = portwarden::fuzz::AsText(data + 1, size - 1);
  STACK_OF(X509)* chain = Chain();
  if (data[0] % 2 == 0) {
    auto crl = portwarden::probe::crl::Parse(bytes);
    if (crl) {
      const auto times = portwarden::probe::crl::UpdateTimes(crl->get());
      PORTWARDEN_FUZZ_CHECK(!times.this_update || *times.this_update == *times.this_update);
      portwarden::probe::crl::Lists(crl->get(), sk_X509_value(chain, 0));
      PORTWARDEN_FUZZ_CHECK(
          !portwarden::probe::crl::VerifyIssuer(crl->get(), sk_X509_value(chain, 1)) ||
          X509_NAME_cmp(X509_CRL_get_issuer(crl->get()),
                        X509_get_subject_name(sk_X509_value(chain, 1))) == 0);
    }
  } else {
    const auto staple = portwarden::probe::EvaluateStaple(bytes, chain, 1.8e9);
    // Nobody but the chain's CA key could sign a response the check accepts.
    PORTWARDEN_FUZZ_CHECK(staple.status == "invalid" || staple.status == "none");
  }
  return 0;
}
