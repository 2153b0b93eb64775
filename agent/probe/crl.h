#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/x509.h>

#include "agent/core/error.h"

/// Pure functions over certificate revocation lists: where a certificate's CRL is, parsing,
/// signature and issuer check, lookup. No I/O; thread-safe (OpenSSL objects are read only).
namespace portwarden::probe::crl {

struct CrlDeleter {
  void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};

using UniqueCrl = std::unique_ptr<X509_CRL, CrlDeleter>;

/// Longest distribution-point URL used; longer ones are ignored.
inline constexpr std::size_t kMaxUrlBytes = 2048;

/// The first http:// URI of the certificate's CRL distribution points (full names only; no
/// LDAP, no relative names), or nullopt when it has none. Bounded to kMaxUrlBytes; a URL with
/// bytes outside printable ASCII is ignored.
std::optional<std::string> DistributionPointUrl(const X509* cert);

/// A CRL from DER or PEM bytes.
Result<UniqueCrl> Parse(std::string_view bytes);

/// Whether `crl` was issued by `issuer`: the names match, the issuer may sign CRLs (keyUsage
/// cRLSign when the extension is present) and the signature verifies with its key.
Status VerifyIssuer(X509_CRL* crl, X509* issuer);

/// Whether `cert`'s serial is listed (a removeFromCRL entry, only in delta CRLs, is not).
bool Lists(X509_CRL* crl, X509* cert);

/// thisUpdate and nextUpdate as Unix seconds (nextUpdate is optional in RFC 5280).
struct Times {
  std::optional<double> this_update;
  std::optional<double> next_update;
};

Times UpdateTimes(const X509_CRL* crl);

}  // namespace portwarden::probe::crl
