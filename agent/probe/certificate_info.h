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

/// The first commonName of a name, or "": valid UTF-8 whatever its ASN.1 string type,
/// bounded by text::Kind::kCertName.
std::string CommonName(const X509_NAME* name);

/// Any ASN.1 string as valid UTF-8 bounded by text::Kind::kCertName; ill-formed content
/// (which OpenSSL refuses to convert) is sanitized from its raw bytes. "" for nullptr.
std::string AsnStringText(const ASN1_STRING* data);

/// Lowercase hex of the serial number, without separators or leading "0x".
std::string SerialHex(const X509* cert);

/// Lowercase hex SHA-256 over the DER encoding.
std::string FingerprintSha256(const X509* cert);

/// DNS names and IP addresses of the subjectAltName extension, comma-separated in order;
/// each name bounded by text::Kind::kCertName, the list by text::Kind::kCertNameList.
std::string SubjectAltNames(const X509* cert);

/// Everything the metrics carry about one certificate.
CertificateInfo DescribeCertificate(const X509* cert, int chain_pos);

}  // namespace portwarden::probe
