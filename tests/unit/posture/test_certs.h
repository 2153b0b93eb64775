#pragma once

// Certificates built in memory by the tests with the OpenSSL API: a key, a name, an issuer, a
// digest, a validity and the extensions a posture check looks at.
#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"

namespace portwarden::posture::testing {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

using UniqueKey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

/// What to put in a certificate.
struct CertSpec {
  std::string cn = "leaf.test";
  EVP_PKEY* key = nullptr;         ///< Subject key (required).
  X509* issuer = nullptr;          ///< nullptr = self-signed.
  EVP_PKEY* issuer_key = nullptr;  ///< With `issuer`.
  const EVP_MD* digest = EVP_sha256();
  long not_before = 1700000000;
  long not_after = 1700000000 + 90 * 86400;
  bool ca = false;
  std::string eku{};       ///< e.g. "serverAuth,clientAuth"; "" = no extension.
  std::string ocsp_url{};  ///< AIA OCSP responder; "" = none.
  bool sct_list = false;   ///< An (opaque) embedded SCT list extension.
};

inline void AddConfExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

inline UniqueX509 MakeCert(const CertSpec& spec) {
  UniqueX509 cert(X509_new());
  X509_set_version(cert.get(), 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), spec.not_before);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), spec.not_after);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* issuer = spec.issuer != nullptr ? spec.issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  X509_set_pubkey(cert.get(), spec.key);
  AddConfExtension(cert.get(), issuer, NID_basic_constraints,
                   spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
  if (spec.ca) {
    AddConfExtension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (!spec.eku.empty()) {
    AddConfExtension(cert.get(), issuer, NID_ext_key_usage, spec.eku);
  }
  if (!spec.ocsp_url.empty()) {
    AddConfExtension(cert.get(), issuer, NID_info_access, "OCSP;URI:" + spec.ocsp_url);
  }
  if (spec.sct_list) {
    ASN1_OCTET_STRING* data = ASN1_OCTET_STRING_new();
    const unsigned char bytes[] = {0x04, 0x02, 0x00, 0x00};  // An empty SCT list, DER-wrapped.
    ASN1_OCTET_STRING_set(data, bytes, sizeof(bytes));
    X509_EXTENSION* ext = X509_EXTENSION_create_by_NID(nullptr, NID_ct_precert_scts, 0, data);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(data);
  }
  X509_sign(cert.get(), spec.issuer_key != nullptr ? spec.issuer_key : spec.key, spec.digest);
  return cert;
}

inline UniqueKey EcKey(const char* curve = "P-256") {
  return UniqueKey(EVP_EC_gen(curve));
}

inline UniqueKey RsaKey(unsigned bits) {
  return UniqueKey(EVP_RSA_gen(bits));
}

/// A copy that shares the certificate (X509_up_ref).
inline UniqueX509 Ref(const UniqueX509& cert) {
  X509_up_ref(cert.get());
  return UniqueX509(cert.get());
}

}  // namespace portwarden::posture::testing
