// Certificate field extraction from DER, as a probed server sends it: d2i_X509, then
// everything the metrics read (names, serial, SANs, times, key, fingerprint).
#include <memory>
#include <vector>

#include <openssl/x509.h>

#include "agent/probe/certificate_info.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  const unsigned char* cursor = data;
  const std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &cursor, static_cast<long>(size)), &X509_free);
  if (cert == nullptr) {
    return 0;
  }
  std::vector<probe::CertificateInfo> chain{probe::DescribeCertificate(cert.get(), 0)};
  (void)probe::EarliestNotAfter(chain);
  (void)probe::CommonName(X509_get_subject_name(cert.get()));
  (void)probe::SubjectAltNames(cert.get());
  return 0;
}
