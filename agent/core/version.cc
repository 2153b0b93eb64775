#include "agent/core/version.h"

#include <string>

#include <openssl/crypto.h>

#include "agent/core/version_info.h"

namespace portwarden::build {

std::string OpenSslVersion() {
  return OpenSSL_version(OPENSSL_VERSION);
}

std::string VersionText() {
  std::string text = "portwarden, version ";
  text += kVersion;
  text += " (branch: ";
  text += kBranch;
  text += ", revision: ";
  text += kRevision;
  text += ")\n  compiler:  ";
  text += kCompiler;
  text += "\n  openssl:   ";
  text += OpenSslVersion();
  text += "\n  platform:  linux\n";
  return text;
}

}  // namespace portwarden::build
