// The certificate-file readers on hostile bytes: the JKS/JCEKS parser (lengths, counts and
// its digest), then the whole format detection (PEM, DER, PKCS#12, JKS) with and without a
// password, and the description of every certificate found. The caps must hold.
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "agent/certfiles/cert_file_parser.h"
#include "agent/certfiles/jks_parser.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden::certfiles;
  const std::span<const std::uint8_t> bytes(data, size);
  if (auto keystore = ParseJks(bytes)) {
    std::size_t certificates = 0;
    for (const auto& entry : keystore->entries) {
      certificates += entry.certificates.size();
      for (const auto der : entry.certificates) {
        if (der.data() < data || der.data() + der.size() > data + size) {
          std::abort();  // a span outside the input
        }
      }
    }
    if (certificates > kMaxJksCertificates || keystore->digest.size() != 20) {
      std::abort();
    }
    (void)JksDigestMatches(*keystore, "changeit");
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::optional<std::string>& password :
       {std::optional<std::string>(), std::optional<std::string>("changeit")}) {
    auto parsed = ParseCertificateFile(text, password);
    if (!parsed) {
      continue;
    }
    if (parsed->certificates.size() > kMaxCertificatesPerFile) {
      std::abort();
    }
    int index = 0;
    for (const auto& cert : parsed->certificates) {
      const DiskCertificate described = DescribeDiskCertificate(cert.get(), "fuzz", index++);
      if (described.names.size() > kMaxNamesPerCertificate) {
        std::abort();
      }
    }
  }
  return 0;
}
