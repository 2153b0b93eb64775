#include "agent/probe/crl.h"

#include <algorithm>
#include <cctype>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "agent/probe/certificate_info.h"

namespace portwarden::probe::crl {
namespace {

struct DistPointsDeleter {
  void operator()(CRL_DIST_POINTS* points) const { CRL_DIST_POINTS_free(points); }
};

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

bool IsHttpUrl(std::string_view url) {
  if (url.size() < 8 || url.size() > kMaxUrlBytes) {
    return false;
  }
  std::string scheme(url.substr(0, 7));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return scheme == "http://" &&
         std::all_of(url.begin(), url.end(), [](unsigned char c) { return c > 0x20 && c < 0x7F; });
}

std::string OpenSslError(std::string_view what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return std::string(what);
  }
  char text[256] = {};
  ERR_error_string_n(code, text, sizeof(text));
  return std::string(what) + ": " + text;
}

}  // namespace

std::optional<std::string> DistributionPointUrl(const X509* cert) {
  std::unique_ptr<CRL_DIST_POINTS, DistPointsDeleter> points(static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (point->distpoint == nullptr || point->distpoint->type != 0) {
      continue;  // relative names need the issuer's name: not supported
    }
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) {
        continue;
      }
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      const std::string_view url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                 static_cast<std::size_t>(ASN1_STRING_length(uri)));
      if (IsHttpUrl(url)) {
        return std::string(url);
      }
    }
  }
  return std::nullopt;
}

Result<UniqueCrl> Parse(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
    return Fail("CRL too large to parse");
  }
  const auto* der = reinterpret_cast<const unsigned char*>(bytes.data());
  UniqueCrl crl(d2i_X509_CRL(nullptr, &der, static_cast<long>(bytes.size())));
  if (!crl) {
    ERR_clear_error();
    std::unique_ptr<BIO, BioDeleter> bio(
        BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    crl.reset(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!crl) {
    return Fail(OpenSslError("not a DER or PEM CRL"));
  }
  return crl;
}

Status VerifyIssuer(X509_CRL* crl, X509* issuer) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) {
    return Fail(
        "the CRL's issuer is not the certificate's issuer (indirect CRLs are not "
        "supported)");
  }
  if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) {
    return Fail("the issuer's keyUsage does not allow cRLSign");
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  if (key == nullptr || X509_CRL_verify(crl, key) != 1) {
    return Fail(OpenSslError("the CRL's signature does not verify with the issuer's key"));
  }
  return {};
}

bool Lists(X509_CRL* crl, X509* cert) {
  X509_REVOKED* entry = nullptr;
  return X509_CRL_get0_by_cert(crl, &entry, cert) == 1;
}

Times UpdateTimes(const X509_CRL* crl) {
  Times times;
  if (const ASN1_TIME* last = X509_CRL_get0_lastUpdate(crl); last != nullptr) {
    times.this_update = AsnTimeToUnix(last);
  }
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl); next != nullptr) {
    times.next_update = AsnTimeToUnix(next);
  }
  return times;
}

}  // namespace portwarden::probe::crl
