#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/probe/probe_result.h"

/// What the certificate-file stage publishes in the snapshot: the certificates found in the
/// `[[certificates]]` files, the files that could not be read, and the cross-checks against
/// what the probes saw served (drift, consistency across ports). Plain data and pure helpers.
namespace portwarden::certfiles {

/// Why a configured path gave no certificate: the closed `reason` set of
/// portwarden_cert_file_error (docs/metrics.md).
enum class FileError : std::uint8_t {
  kNotFound,             ///< ENOENT (or a dangling symlink).
  kPermissionDenied,     ///< EACCES/EPERM: the agent's user may not read it.
  kNotRegularFile,       ///< A directory, FIFO, device or socket named literally.
  kSymlinkLoop,          ///< ELOOP.
  kTooLarge,             ///< Above kMaxCertificateFileBytes.
  kReadError,            ///< Any other error of open/stat/read.
  kNoMatch,              ///< A glob pattern that matched no file.
  kTooManyFiles,         ///< The patterns matched more than kMaxCertificateFiles; rest ignored.
  kMalformed,            ///< Not PEM, DER, PKCS#12 or JKS, or corrupt in one of them.
  kNoCertificate,        ///< A well-formed file holding no certificate (a key alone).
  kTooManyCertificates,  ///< More than kMaxCertificatesPerFile; the first ones are reported.
  kBadPassword,          ///< A PKCS#12 MAC or JKS digest the password did not verify.
  kPasswordFileError,    ///< The configured password_file could not be read.
  kUnsupported,          ///< A format recognised but not read (JCEKS secret keys, legacy PKCS#12).
};

/// The `reason` label of a FileError ("not_found", ...).
constexpr std::string_view FileErrorName(FileError error) {
  switch (error) {
    case FileError::kNotFound:
      return "not_found";
    case FileError::kPermissionDenied:
      return "permission_denied";
    case FileError::kNotRegularFile:
      return "not_regular_file";
    case FileError::kSymlinkLoop:
      return "symlink_loop";
    case FileError::kTooLarge:
      return "too_large";
    case FileError::kReadError:
      return "read_error";
    case FileError::kNoMatch:
      return "no_match";
    case FileError::kTooManyFiles:
      return "too_many_files";
    case FileError::kMalformed:
      return "malformed";
    case FileError::kNoCertificate:
      return "no_certificate";
    case FileError::kTooManyCertificates:
      return "too_many_certificates";
    case FileError::kBadPassword:
      return "bad_password";
    case FileError::kPasswordFileError:
      return "password_file_error";
    case FileError::kUnsupported:
      return "unsupported";
  }
  return "malformed";
}

/// Bounds that keep series and memory bounded whatever the disk holds.
inline constexpr std::size_t kMaxCertificateFileBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxCertificateFiles = 1024;  ///< over all sources
inline constexpr std::size_t kMaxCertificatesPerFile = 256;

/// One certificate read from a file.
struct DiskCertificate {
  std::string path;  ///< As matched (the configured path or a glob match), not resolved.
  int index = 0;     ///< Position in the file (PEM order, PKCS#12 leaf first, JKS entry order).
  probe::CertificateInfo info;  ///< chain_pos is the index.
  /// DNS and IP subjectAltNames, lowercased (or the subject CN when there is none): what
  /// drift matches against an endpoint's server_name. At most kMaxNamesPerCertificate.
  std::vector<std::string> names;
  bool is_ca = false;  ///< basicConstraints CA: never matched against endpoints.
};

inline constexpr std::size_t kMaxNamesPerCertificate = 256;

/// One path that gave an error instead of (or besides) certificates.
struct CertFileError {
  std::string path;  ///< The file, or the pattern for kNoMatch / kTooManyFiles.
  FileError reason = FileError::kMalformed;
  std::string detail;  ///< Human-readable, bounded; for logs and /api/state.
};

/// The latest read of every configured source.
struct CertFileReport {
  std::vector<DiskCertificate> certificates;
  std::vector<CertFileError> errors;
  std::size_t files = 0;         ///< Files matched.
  std::size_t files_parsed = 0;  ///< Of those, parsed this cycle (new or changed).
};

/// portwarden_tls_cert_renewed_not_served for one (endpoint, disk file).
struct RenewedNotServed {
  std::string target;
  std::string address;
  std::string server_name;
  probe::TargetSource source = probe::TargetSource::kConfig;
  std::string path;
  bool renewed_not_served = false;  ///< 1: the disk certificate is newer than the served one.
};

/// portwarden_tls_posture_inconsistent for one (host, server_name, aspect).
struct PostureInconsistency {
  std::string host;
  std::string server_name;
  std::string aspect;  ///< One of consistency.h's aspect:: values (docs/metrics.md)
  bool inconsistent = false;
};

/// Both cross-checks, recomputed whenever the probes or the files change.
struct CrossCheckReport {
  std::vector<RenewedNotServed> drift;
  std::vector<PostureInconsistency> consistency;
};

}  // namespace portwarden::certfiles
