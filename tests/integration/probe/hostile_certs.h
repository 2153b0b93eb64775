#pragma once

// Certificates that stress the prober's parsing: a 60-certificate chain, 10,000 SANs, a 60 KB
// subject, and stray bytes in the CN and a SAN. Made with the `openssl` CLI at test time.
#include <string>

#include "tests/integration/probe/tls_fixture.h"

namespace portwarden::testing {

struct HostileCerts {
  TempDir dir;
  std::string root;          ///< Trust anchor of chain60 and the big ones (PEM).
  Cert chain60;              ///< Leaf under 59 intermediates.
  std::string chain60_rest;  ///< The 59 intermediates, leaf side first (for -cert_chain).
  Cert many_sans;            ///< 10,000 DNS SANs (localhost among them), issued by root.
  Cert big_subject;          ///< ~60 KB subject (CN localhost and many OUs), issued by root.
  Cert bad_utf8;             ///< DER (`-certform DER`): stray bytes in the CN, invalid UTF-8
                             ///< in a SAN.
};

/// Built on first use, removed at exit.
const HostileCerts& SharedHostileCerts();

}  // namespace portwarden::testing
