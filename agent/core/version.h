#pragma once

#include <string>

namespace portwarden::build {

/// "portwarden, version 0.1.0 (branch: main, revision: abc)\n  build compiler: ...\n  openssl: ..."
std::string VersionText();

/// The version of the OpenSSL library loaded at run time ("OpenSSL 3.0.x ...").
std::string OpenSslVersion();

}  // namespace portwarden::build
