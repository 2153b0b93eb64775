#pragma once

#include <string>
#include <vector>

/// The files make_cert_files.sh made for this test run (once per process) and helpers to
/// read the independent tools' view of them. Test support only.
namespace portwarden::certfiles::testing_support {

/// The directory holding the generated files; made on first use.
const std::string& CertFilesDir();

/// The bytes of a generated file.
std::string ReadGenerated(const std::string& name);

/// The SHA-256 fingerprints (lowercase hex, no colons) in a tool's output: every
/// "SHA256: AA:BB..." (keytool) or "sha256 Fingerprint=AA:BB..." (openssl) line, in order.
std::vector<std::string> ToolFingerprints(const std::string& name);

/// The value after "key=" in a generated text file ("notAfter", "serial", ...).
std::string ToolField(const std::string& name, const std::string& key);

}  // namespace portwarden::certfiles::testing_support
