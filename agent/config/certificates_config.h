#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace portwarden::config {

/// One `[[certificates]]` entry: certificate files on disk to watch (PEM, DER, PKCS#12, JKS).
struct CertificateSourceConfig {
  std::string name;  ///< Optional label for logs; unique when given.
  /// Absolute paths or glob(3) patterns ("/etc/letsencrypt/live/*/fullchain.pem").
  std::vector<std::string> paths;
  /// File whose first line is the password of PKCS#12 and JKS files; "" = try the empty one.
  std::string password_file;
};

/// Bounds on what `[[certificates]]` may ask for, so the series stay bounded.
inline constexpr std::size_t kMaxCertificateSources = 256;
inline constexpr std::size_t kMaxCertificatePaths = 256;  ///< per source

}  // namespace portwarden::config
