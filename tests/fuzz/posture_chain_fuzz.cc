// The posture checks over a presented chain as a server sends it: consecutive DER
// certificates (at most 8, as ParseChain gets them), then every check of posture_checks.h
// (issuer links, self-signature verification, key sizes, signature digests, validity table,
// EKU, SCT list, OCSP responder URLs), once with each verify verdict that changes a check.
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "agent/posture/posture_checks.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace portwarden;
  std::vector<std::string> der;
  const unsigned char* cursor = data;
  const unsigned char* end = data + size;
  while (cursor < end && der.size() < 8) {
    const unsigned char* start = cursor;
    X509* cert = d2i_X509(nullptr, &cursor, static_cast<long>(end - cursor));
    if (cert == nullptr) {
      break;
    }
    X509_free(cert);
    der.emplace_back(reinterpret_cast<const char*>(start),
                     static_cast<std::size_t>(cursor - start));
  }
  for (const char* verdict : {"ok", "untrusted"}) {
    posture::CheckInput input;
    input.chain = posture::ParseChain(der);
    input.verify_result = verdict;
    (void)posture::Findings(input);
    (void)posture::ChainOutOfOrder(input.chain);
  }
  return 0;
}
