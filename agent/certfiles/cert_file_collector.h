#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/certfiles/cert_file_report.h"
#include "agent/config/certificates_config.h"
#include "agent/core/bounded_file.h"

namespace portwarden::certfiles {

/// Reads the `[[certificates]]` sources. Each call expands the globs and stat()s every
/// matched file; a file is read and parsed again only when its stamp (device, inode, size,
/// mtime, ctime) or its password file's stamp changed, so a cycle over unchanged files costs
/// one stat per file. Every file goes through the bounded reader (agent/core/bounded_file.h):
/// a FIFO, a device, a directory, a symlink loop or a huge file is an error entry, never a
/// hang or an allocation. Not thread-safe: one job owns it.
class CertFileCollector {
 public:
  /// The certificates and errors of every source, files in pattern order then glob order
  /// (sorted), each path once (the first source naming it wins).
  CertFileReport Collect(const std::vector<config::CertificateSourceConfig>& sources);

 private:
  struct Password {
    std::optional<std::string> text;  ///< nullopt: none configured, or unreadable
    std::optional<FileStamp> stamp;
    std::optional<CertFileError> error;
  };

  struct Cached {
    std::optional<FileStamp> stamp;           ///< of the bytes parsed; nullopt: unreadable
    std::optional<FileStamp> password_stamp;  ///< of the password file used
    std::vector<DiskCertificate> certificates;
    std::optional<CertFileError> error;
  };

  Password ReadPassword(const std::string& path);
  Cached& Refresh(const std::string& path, const std::string& label, const Password& password);

  std::map<std::string, Cached> cache_;  // by raw path; entries not seen in a cycle are dropped
  std::size_t parsed_ = 0;               // files read and parsed in the cycle running
};

/// The paths one pattern names: itself when it has no glob metacharacter, else glob(3)'s
/// matches (sorted, directories left out). Errors (kNoMatch) carry the pattern.
std::vector<std::string> ExpandPattern(const std::string& pattern);

/// The reason for an errno of open/stat.
FileError ErrnoReason(int err);

}  // namespace portwarden::certfiles
