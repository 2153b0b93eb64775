// CertificateInfo over certificates built in memory with the OpenSSL API (known fields).
#include "agent/probe/certificate_info.h"

#include <memory>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"

namespace portwarden::probe {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

/// A self-signed certificate with the given serial, validity and SANs.
UniqueX509 MakeCert(EVP_PKEY* key, long serial, long not_before, long not_after, const char* san) {
  UniqueX509 cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("example.test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san);
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

TEST(CertificateInfoTest, DescribesEcCertificate) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(key);
  const auto cert = MakeCert(key.get(), 0x1a2b3c, 1700000000, 1800000000,
                             "DNS:example.test,DNS:www.example.test,IP:127.0.0.1,IP:::1");
  const CertificateInfo info = DescribeCertificate(cert.get(), 0);
  EXPECT_EQ(info.not_before, 1700000000);
  EXPECT_EQ(info.not_after, 1800000000);
  EXPECT_EQ(info.subject_cn, "example.test");
  EXPECT_EQ(info.issuer_cn, "example.test");
  EXPECT_EQ(info.serial, "1a2b3c");
  EXPECT_EQ(info.san, "example.test,www.example.test,127.0.0.1,::1");
  EXPECT_EQ(info.key_algorithm, "EC");
  EXPECT_EQ(info.key_bits, 256);
  EXPECT_EQ(info.signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_EQ(info.fingerprint_sha256.size(), 64U);
  EXPECT_EQ(info.fingerprint_sha256.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(CertificateInfoTest, DatesBeyond2050UseGeneralizedTime) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  const auto cert = MakeCert(key.get(), 1, 0, 2600000000L, "DNS:a");
  const CertificateInfo info = DescribeCertificate(cert.get(), 3);
  EXPECT_EQ(info.chain_pos, 3);
  EXPECT_EQ(info.not_before, 0);
  EXPECT_EQ(info.not_after, 2600000000.0);
}

TEST(CertificateInfoTest, EarliestNotAfter) {
  std::vector<CertificateInfo> chain(3);
  chain[0].not_after = 300;
  chain[1].not_after = 100;
  chain[2].not_after = 200;
  EXPECT_EQ(EarliestNotAfter(chain), std::optional<double>(100));
  EXPECT_EQ(EarliestNotAfter({}), std::nullopt);
}

}  // namespace
}  // namespace portwarden::probe
