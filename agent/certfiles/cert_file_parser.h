#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/certfiles/cert_file_report.h"
#include "agent/core/openssl_handles.h"

/// Certificates from the bytes of one file, whatever its format: PEM (certificates and
/// chains, trusted certificates; other blocks such as keys are skipped), DER (one or several
/// concatenated certificates), PKCS#12 (OpenSSL's PKCS12_parse; Tomcat's PKCS12 keystores)
/// and Java JKS/JCEKS keystores (jks_parser.h). Pure: no I/O; never prompts for a password.
/// Thread-safe.
namespace portwarden::certfiles {

/// Why a file gave no certificate, or a problem besides the certificates it gave.
struct ParseProblem {
  FileError reason = FileError::kMalformed;
  std::string detail;
};

/// The certificates found, in file order, and a problem that did not stop them all (a chain
/// file whose last block is truncated, more than kMaxCertificatesPerFile certificates).
struct ParsedFile {
  std::vector<UniqueX509> certificates;
  std::optional<ParseProblem> problem;
  std::string_view format;  ///< "pem", "der", "pkcs12", "jks", "jceks".
};

/// Parses `bytes`. `password` is the configured one (from password_file) or nullopt, in which
/// case PKCS#12 is tried with the empty password then none, and a JKS digest is not checked.
std::expected<ParsedFile, ParseProblem> ParseCertificateFile(
    std::string_view bytes, const std::optional<std::string>& password);

/// What the metrics and drift need of one certificate read from `path` at `index`.
DiskCertificate DescribeDiskCertificate(const X509* cert, const std::string& path, int index);

}  // namespace portwarden::certfiles
