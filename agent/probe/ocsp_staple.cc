#include "agent/probe/ocsp_staple.h"

#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509_vfy.h>

#include "agent/probe/certificate_info.h"

namespace portwarden::probe {
namespace {

struct ResponseDeleter {
  void operator()(OCSP_RESPONSE* response) const { OCSP_RESPONSE_free(response); }
};

struct BasicDeleter {
  void operator()(OCSP_BASICRESP* basic) const { OCSP_BASICRESP_free(basic); }
};

struct CertIdDeleter {
  void operator()(OCSP_CERTID* id) const { OCSP_CERTID_free(id); }
};

struct StoreDeleter {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};

constexpr long kSkewSeconds = 300;

OcspStaple Invalid(std::string detail) {
  ERR_clear_error();
  OcspStaple staple;
  staple.status = "invalid";
  staple.detail = std::move(detail);
  return staple;
}

/// A store whose only anchor is `issuer`, with partial chains allowed: a responder
/// certificate must chain to the leaf's own issuer, not to any root.
std::unique_ptr<X509_STORE, StoreDeleter> IssuerAnchor(X509* issuer, double now) {
  std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), issuer) != 1) {
    return nullptr;
  }
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_USE_CHECK_TIME);
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  return store;
}

const char* StatusName(int status) {
  switch (status) {
    case V_OCSP_CERTSTATUS_GOOD:
      return "good";
    case V_OCSP_CERTSTATUS_REVOKED:
      return "revoked";
    default:
      return "unknown";
  }
}

}  // namespace

X509* FindIssuer(STACK_OF(X509) * served, X509* cert) {
  for (int i = 0; served != nullptr && i < sk_X509_num(served); ++i) {
    X509* candidate = sk_X509_value(served, i);
    if (candidate != cert && X509_check_issued(candidate, cert) == X509_V_OK) {
      EVP_PKEY* key = X509_get0_pubkey(candidate);
      if (key != nullptr && X509_verify(cert, key) == 1) {
        return candidate;
      }
    }
  }
  ERR_clear_error();
  return nullptr;
}

OcspStaple EvaluateStaple(std::string_view der, STACK_OF(X509) * served, double now) {
  if (der.empty()) {
    return {};
  }
  if (served == nullptr || sk_X509_num(served) == 0) {
    return Invalid("no certificate was served");
  }
  X509* leaf = sk_X509_value(served, 0);
  X509* issuer = FindIssuer(served, leaf);
  if (issuer == nullptr) {
    return Invalid("the leaf's issuer is not in the served chain");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<OCSP_RESPONSE, ResponseDeleter> response(
      d2i_OCSP_RESPONSE(nullptr, &bytes, static_cast<long>(der.size())));
  if (!response) {
    return Invalid("not a DER OCSP response");
  }
  if (const int status = OCSP_response_status(response.get());
      status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return Invalid(std::string("responder status ") + OCSP_response_status_str(status));
  }
  std::unique_ptr<OCSP_BASICRESP, BasicDeleter> basic(OCSP_response_get1_basic(response.get()));
  auto store = IssuerAnchor(issuer, now);
  if (!basic || !store || OCSP_basic_verify(basic.get(), served, store.get(), 0) != 1) {
    return Invalid("not signed by the leaf's issuer or a responder it delegated to");
  }
  std::unique_ptr<OCSP_CERTID, CertIdDeleter> id(OCSP_cert_to_id(nullptr, leaf, issuer));
  int status = 0;
  int reason = 0;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (!id || OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at,
                                   &this_update, &next_update) != 1) {
    return Invalid("no status for the served leaf");
  }
  OcspStaple staple;
  staple.this_update = AsnTimeToUnix(this_update);
  if (next_update != nullptr) {
    staple.next_update = AsnTimeToUnix(next_update);
  }
  const double skew = static_cast<double>(kSkewSeconds);
  if (!staple.this_update || *staple.this_update > now + skew ||
      (staple.next_update && *staple.next_update < now - skew)) {
    OcspStaple expired = Invalid("outside its validity (thisUpdate/nextUpdate)");
    expired.this_update = staple.this_update;
    expired.next_update = staple.next_update;
    return expired;
  }
  staple.status = StatusName(status);
  if (status == V_OCSP_CERTSTATUS_REVOKED && reason >= 0) {
    staple.detail = std::string("reason: ") + OCSP_crl_reason_str(reason);
  }
  return staple;
}

}  // namespace portwarden::probe
