#pragma once

#include <optional>
#include <string>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "agent/probe/probe_result.h"

/// Pure functions over X509 certificates: no I/O, no ownership taken. Thread-safe.
namespace portwarden::probe {

/// Unix seconds of an ASN1 time (UTCTime or GeneralizedTime); nullopt when unparseable.
std::optional<double> AsnTimeToUnix(const ASN1_TIME* time);

/// The first commonName of a name, or "".
std::string CommonName(const X509_NAME* name);

/// Lowercase hex of the serial number, without separators or leading "0x".
std::string SerialHex(const X509* cert);

/// Lowercase hex SHA-256 over the DER encoding.
std::string FingerprintSha256(const X509* cert);

/// DNS names and IP addresses of the subjectAltName extension, comma-separated in order.
std::string SubjectAltNames(const X509* cert);

/// Everything the metrics carry about one certificate.
CertificateInfo DescribeCertificate(const X509* cert, int chain_pos);

/// The earliest not_after over a chain; nullopt for an empty chain.
std::optional<double> EarliestNotAfter(const std::vector<CertificateInfo>& chain);

}  // namespace portwarden::probe
