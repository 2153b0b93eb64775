// CRLs: distribution points, the issuer check, lookup, and the cache (kept until nextUpdate,
// bounded). CRLs and certificates are made here with OpenSSL; the cache's downloads go to a
// FAKE fetcher (a lambda returning those bytes), the one seam not exercised for real here
// (tests/integration/probe/revocation_test.cc downloads over real HTTP).
#include "agent/probe/crl.h"

#include <ctime>
#include <memory>

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"
#include "agent/probe/crl_cache.h"
#include "agent/probe/revocation_check.h"

namespace portwarden::probe {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

using UniqueKey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

const double kNow = static_cast<double>(std::time(nullptr));

void SetName(X509_NAME* name, const char* cn) {
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate `cn` with `serial`, signed by `issuer_key` (self-signed when issuer is null).
UniqueX509 MakeCert(const char* cn,
                    long serial,
                    EVP_PKEY* key,
                    X509* issuer,
                    EVP_PKEY* issuer_key,
                    const char* crl_url = nullptr) {
  UniqueX509 cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  SetName(X509_get_subject_name(cert.get()), cn);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer)
                                                     : X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), key);
  if (issuer == nullptr) {
    AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  if (crl_url != nullptr) {
    AddExtension(cert.get(), issuer, NID_crl_distribution_points, crl_url);
  }
  X509_sign(cert.get(), issuer_key, EVP_sha256());
  return cert;
}

/// DER of a CRL by `issuer` listing `revoked_serial`, with nextUpdate `next` seconds from now.
std::string MakeCrl(X509* issuer, EVP_PKEY* key, long revoked_serial, long next) {
  crl::UniqueCrl crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer));
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> last(
      ASN1_TIME_adj(nullptr, std::time(nullptr), 0, -7200), ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> upcoming(
      ASN1_TIME_adj(nullptr, std::time(nullptr), 0, next), ASN1_TIME_free);
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), upcoming.get());
  X509_REVOKED* entry = X509_REVOKED_new();
  ASN1_INTEGER* serial = ASN1_INTEGER_new();
  ASN1_INTEGER_set(serial, revoked_serial);
  X509_REVOKED_set_serialNumber(entry, serial);
  X509_REVOKED_set_revocationDate(entry, last.get());
  ASN1_INTEGER_free(serial);
  X509_CRL_add0_revoked(crl.get(), entry);
  X509_CRL_sort(crl.get());
  X509_CRL_sign(crl.get(), key, EVP_sha256());
  unsigned char* der = nullptr;
  const int length = i2d_X509_CRL(crl.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

struct Pki {
  UniqueKey ca_key{EVP_EC_gen("P-256")};
  UniqueKey other_key{EVP_EC_gen("P-256")};
  UniqueKey leaf_key{EVP_EC_gen("P-256")};
  UniqueX509 ca = MakeCert("Test CA", 1, ca_key.get(), nullptr, ca_key.get());
  UniqueX509 revoked_leaf = MakeCert(
      "revoked.test", 7, leaf_key.get(), ca.get(), ca_key.get(), "URI:http://crl.test/ca.crl");
  UniqueX509 good_leaf = MakeCert(
      "good.test", 8, leaf_key.get(), ca.get(), ca_key.get(), "URI:http://crl.test/ca.crl");
};

const Pki& SharedPki() {
  static const Pki pki;
  return pki;
}

TEST(CrlTest, DistributionPointIsTheFirstHttpUri) {
  const Pki& pki = SharedPki();
  EXPECT_EQ(crl::DistributionPointUrl(pki.revoked_leaf.get()), "http://crl.test/ca.crl");
  EXPECT_FALSE(crl::DistributionPointUrl(pki.ca.get()));
  UniqueX509 ldap = MakeCert("ldap.test", 9, pki.leaf_key.get(), pki.ca.get(), pki.ca_key.get(),
                             "URI:ldap://x/cn=ca,URI:HTTP://crl.test/b.crl");
  EXPECT_EQ(crl::DistributionPointUrl(ldap.get()), "HTTP://crl.test/b.crl");
}

TEST(CrlTest, ListsOnlyTheRevokedSerialAndChecksTheSigner) {
  const Pki& pki = SharedPki();
  auto parsed = crl::Parse(MakeCrl(pki.ca.get(), pki.ca_key.get(), 7, 3600));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_TRUE(crl::VerifyIssuer(parsed->get(), pki.ca.get()));
  EXPECT_TRUE(crl::Lists(parsed->get(), pki.revoked_leaf.get()));
  EXPECT_FALSE(crl::Lists(parsed->get(), pki.good_leaf.get()));
  const auto times = crl::UpdateTimes(parsed->get());
  EXPECT_NEAR(*times.this_update, kNow - 7200, 5);
  EXPECT_NEAR(*times.next_update, kNow + 3600, 5);
  // Same name, another key: the signature does not verify.
  auto forged = crl::Parse(MakeCrl(pki.ca.get(), pki.other_key.get(), 7, 3600));
  ASSERT_TRUE(forged);
  EXPECT_FALSE(crl::VerifyIssuer(forged->get(), pki.ca.get()));
  EXPECT_FALSE(crl::Parse("not a crl"));
  EXPECT_FALSE(crl::Parse(""));
}

TEST(CrlCacheTest, KeptUntilNextUpdateThenDownloadedAgain) {
  const Pki& pki = SharedPki();
  const std::string bytes = MakeCrl(pki.ca.get(), pki.ca_key.get(), 7, 3600);
  int downloads = 0;
  const CrlFetcher fake = [&](const std::string&) -> PhaseResult<std::string> {
    ++downloads;
    return bytes;
  };
  CrlCache cache(CrlCacheLimits{1 << 20, 4, 1 << 22, 300});
  const auto first = cache.Get("http://crl.test/a", kNow, fake);
  ASSERT_TRUE(first->crl);
  EXPECT_EQ(cache.Get("http://crl.test/a", kNow + 3000, fake), first);  // before nextUpdate
  EXPECT_EQ(downloads, 1);
  const auto later = cache.Get("http://crl.test/a", kNow + 4000, fake);  // after it
  EXPECT_EQ(downloads, 2);
  EXPECT_EQ(later->fetched_at, kNow + 4000);
}

TEST(CrlCacheTest, FailedDownloadKeepsThePreviousCrlAndIsNotRetriedAtOnce) {
  const Pki& pki = SharedPki();
  const std::string bytes = MakeCrl(pki.ca.get(), pki.ca_key.get(), 7, 60);
  bool fail = false;
  int downloads = 0;
  const CrlFetcher fake = [&](const std::string&) -> PhaseResult<std::string> {
    ++downloads;
    if (fail) {
      return std::unexpected(PhaseError{crl_failure::kFetch, "connection refused"});
    }
    return bytes;
  };
  CrlCache cache(CrlCacheLimits{1 << 20, 4, 1 << 22, 300});
  ASSERT_TRUE(cache.Get("u", kNow, fake)->crl);
  fail = true;
  const auto failed = cache.Get("u", kNow + 400, fake);
  EXPECT_TRUE(failed->crl);  // the old one, now past its nextUpdate
  EXPECT_EQ(failed->error, crl_failure::kFetch);
  EXPECT_EQ(failed->fetched_at, kNow);
  cache.Get("u", kNow + 500, fake);  // within retry_after of the failed attempt
  EXPECT_EQ(downloads, 2);
}

TEST(CrlCacheTest, BoundedInCountAndSize) {
  const Pki& pki = SharedPki();
  const std::string bytes = MakeCrl(pki.ca.get(), pki.ca_key.get(), 7, 3600);
  const CrlFetcher fake = [&](const std::string&) -> PhaseResult<std::string> { return bytes; };
  CrlCache cache(CrlCacheLimits{1 << 20, 3, 1 << 22, 300});
  for (int i = 0; i < 10; ++i) {
    cache.Get("u" + std::to_string(i), kNow + i, fake);
  }
  EXPECT_EQ(cache.size(), 3u);
  CrlCache small(CrlCacheLimits{10, 3, 1 << 22, 300});
  EXPECT_EQ(small.Get("u", kNow, fake)->error, crl_failure::kTooLarge);
}

TEST(RevocationCheckTest, LeafOnTheCrlIsRevokedAndStalenessIsVisible) {
  const Pki& pki = SharedPki();
  UniqueX509Stack chain(sk_X509_new_null());
  X509_up_ref(pki.revoked_leaf.get());
  sk_X509_push(chain.get(), pki.revoked_leaf.get());
  X509_up_ref(pki.ca.get());
  sk_X509_push(chain.get(), pki.ca.get());
  const std::string stale = MakeCrl(pki.ca.get(), pki.ca_key.get(), 7, -60);
  const CrlFetcher fake = [&](const std::string&) -> PhaseResult<std::string> { return stale; };
  CrlCache cache;
  const RevocationReport report = CheckRevocation(chain.get(), "", cache, fake, kNow);
  ASSERT_EQ(report.crls.size(), 1u);
  EXPECT_EQ(report.crls[0].chain_pos, 0);
  EXPECT_EQ(report.crls[0].revoked, true);
  EXPECT_TRUE(report.crls[0].stale);
  EXPECT_EQ(Revoked(report, 0), true);
  EXPECT_EQ(report.staple.status, "none");
  EXPECT_FALSE(Revoked(report, 1));  // the CA has no distribution point

  UniqueX509Stack alone(sk_X509_new_null());
  X509_up_ref(pki.good_leaf.get());
  sk_X509_push(alone.get(), pki.good_leaf.get());
  const RevocationReport orphan = CheckRevocation(alone.get(), "", cache, fake, kNow);
  ASSERT_EQ(orphan.crls.size(), 1u);
  EXPECT_EQ(orphan.crls[0].error, crl_failure::kNoIssuer);
  EXPECT_FALSE(orphan.crls[0].revoked);
}

}  // namespace
}  // namespace portwarden::probe
