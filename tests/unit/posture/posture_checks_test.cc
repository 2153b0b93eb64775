// The posture checks over certificates made by the test (no network: the integration tests
// run them against real servers).
#include "agent/posture/posture_checks.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/posture/test_certs.h"

namespace portwarden::posture {
namespace {

using testing::CertSpec;
using testing::EcKey;
using testing::MakeCert;
using testing::Ref;
using testing::RsaKey;

constexpr double kDay = 86400;

// Unix seconds of a UTC date.
double Utc(int year, int month, int day) {
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  return static_cast<double>(timegm(&parts));
}

struct ValidityRow {
  double issued;
  int max_days;
};

TEST(PostureChecksTest, MaxValidityFollowsTheCaBrowserForumTable) {
  const ValidityRow rows[] = {
      {Utc(2020, 9, 1), 398},      {Utc(2026, 3, 15) - 1, 398}, {Utc(2026, 3, 15), 200},
      {Utc(2027, 3, 15) - 1, 200}, {Utc(2027, 3, 15), 100},     {Utc(2029, 3, 15) - 1, 100},
      {Utc(2029, 3, 15), 47},      {Utc(2040, 1, 1), 47},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(MaxValidityDays(row.issued), row.max_days) << static_cast<long>(row.issued);
  }
}

TEST(PostureChecksTest, ValidityTooLongPastTheMaximumOfItsIssuanceDate) {
  const double before = Utc(2025, 6, 1);
  EXPECT_FALSE(ValidityTooLong(before, before + 398 * kDay));
  EXPECT_TRUE(ValidityTooLong(before, before + 399 * kDay));
  const double after = Utc(2026, 12, 1);  // 200 days from 2026-03-15
  EXPECT_FALSE(ValidityTooLong(after, after + 200 * kDay));
  EXPECT_TRUE(ValidityTooLong(after, after + 200 * kDay + 1));
  EXPECT_TRUE(ValidityTooLong(after, after + 399 * kDay));
  const double late = Utc(2029, 4, 1);
  EXPECT_FALSE(ValidityTooLong(late, late + 47 * kDay));
  EXPECT_TRUE(ValidityTooLong(late, late + 48 * kDay));
}

TEST(PostureChecksTest, WeakCipherList) {
  for (const char* weak :
       {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_NULL_SHA256",
        "TLS_DH_anon_WITH_AES_128_CBC_SHA", "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        "TLS_RSA_WITH_DES_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_NULL_SHA"}) {
    EXPECT_TRUE(IsWeakCipher(weak)) << weak;
  }
  for (const char* fine :
       {"TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_CHACHA20_POLY1305_SHA256", ""}) {
    EXPECT_FALSE(IsWeakCipher(fine)) << fine;
  }
}

TEST(PostureChecksTest, WeakKeyBySizeAndKind) {
  auto rsa1024 = RsaKey(1024);
  auto rsa2048 = RsaKey(2048);
  auto p224 = EcKey("P-224");
  auto p256 = EcKey("P-256");
  auto ed = testing::UniqueKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_TRUE(WeakKey(MakeCert({.key = rsa1024.get()}).get()));
  EXPECT_FALSE(WeakKey(MakeCert({.key = rsa2048.get()}).get()));
  EXPECT_TRUE(WeakKey(MakeCert({.key = p224.get()}).get()));
  EXPECT_FALSE(WeakKey(MakeCert({.key = p256.get()}).get()));
  EXPECT_FALSE(WeakKey(MakeCert({.key = ed.get(), .digest = nullptr}).get()));
}

// root -> intermediate -> leaf, each signed by the one above with `digest`.
struct Chain {
  testing::UniqueKey root_key = EcKey();
  testing::UniqueKey int_key = EcKey();
  testing::UniqueKey leaf_key = EcKey();
  UniqueX509 root;
  UniqueX509 intermediate;
  UniqueX509 leaf;

  explicit Chain(const EVP_MD* leaf_digest = EVP_sha256(), CertSpec leaf_spec = {}) {
    root = MakeCert({.cn = "root", .key = root_key.get(), .digest = EVP_sha1(), .ca = true});
    intermediate = MakeCert({.cn = "int",
                             .key = int_key.get(),
                             .issuer = root.get(),
                             .issuer_key = root_key.get(),
                             .ca = true});
    leaf_spec.key = leaf_key.get();
    leaf_spec.issuer = intermediate.get();
    leaf_spec.issuer_key = int_key.get();
    leaf_spec.digest = leaf_digest;
    leaf = MakeCert(leaf_spec);
  }

  std::vector<UniqueX509> Presented(std::initializer_list<const UniqueX509*> certs) {
    std::vector<UniqueX509> out;
    for (const auto* cert : certs) {
      out.push_back(Ref(*cert));
    }
    return out;
  }
};

std::vector<Check> FindingsOf(std::vector<UniqueX509> chain,
                              std::string verify = "ok",
                              int handshake_scts = 1,
                              std::string ocsp = "") {
  CheckInput input;
  input.chain = std::move(chain);
  input.verify_result = std::move(verify);
  input.handshake_scts = handshake_scts;
  input.ocsp_response = std::move(ocsp);
  return Findings(input);
}

bool Has(const std::vector<Check>& findings, Check check) {
  return std::ranges::find(findings, check) != findings.end();
}

TEST(PostureChecksTest, Sha1BelowTheRootIsWeakButASha1RootIsNot) {
  Chain good;  // The root itself is SHA-1 self-signed: its signature is never checked.
  EXPECT_FALSE(Has(FindingsOf(good.Presented({&good.leaf, &good.intermediate, &good.root})),
                   Check::kWeakSignature));
  Chain sha1(EVP_sha1());
  EXPECT_TRUE(WeakSignatureAlgorithm(sha1.leaf.get()));
  EXPECT_TRUE(
      Has(FindingsOf(sha1.Presented({&sha1.leaf, &sha1.intermediate})), Check::kWeakSignature));
}

TEST(PostureChecksTest, ChainOrder) {
  Chain c;
  EXPECT_FALSE(ChainOutOfOrder(c.Presented({&c.leaf, &c.intermediate, &c.root})));
  EXPECT_FALSE(ChainOutOfOrder(c.Presented({&c.leaf, &c.intermediate})));
  EXPECT_FALSE(ChainOutOfOrder(c.Presented({&c.leaf})));
  EXPECT_TRUE(ChainOutOfOrder(c.Presented({&c.leaf, &c.root, &c.intermediate})));
  EXPECT_TRUE(ChainOutOfOrder(c.Presented({&c.intermediate, &c.leaf})));
  EXPECT_TRUE(
      Has(FindingsOf(c.Presented({&c.leaf, &c.root, &c.intermediate})), Check::kChainOrder));
}

TEST(PostureChecksTest, IncompleteChainIsAMissingIssuerNotAnUntrustedRoot) {
  Chain c;
  EXPECT_TRUE(Has(FindingsOf(c.Presented({&c.leaf}), "untrusted"), Check::kIncompleteChain));
  EXPECT_FALSE(Has(FindingsOf(c.Presented({&c.leaf}), "ok"), Check::kIncompleteChain));
  EXPECT_FALSE(Has(FindingsOf(c.Presented({&c.leaf, &c.intermediate, &c.root}), "untrusted"),
                   Check::kIncompleteChain));
}

TEST(PostureChecksTest, LeafExtensions) {
  Chain plain;
  auto findings = FindingsOf(plain.Presented({&plain.leaf, &plain.intermediate}), "ok", 0);
  EXPECT_TRUE(Has(findings, Check::kNoSct));
  EXPECT_FALSE(Has(findings, Check::kClientAuthEku));
  EXPECT_FALSE(Has(findings, Check::kNoOcspStaple));  // No responder named: nothing to staple.
  EXPECT_FALSE(Has(FindingsOf(plain.Presented({&plain.leaf}), "ok", 2), Check::kNoSct));

  Chain rich(EVP_sha256(),
             {.eku = "serverAuth,clientAuth", .ocsp_url = "http://ocsp.test/", .sct_list = true});
  findings = FindingsOf(rich.Presented({&rich.leaf, &rich.intermediate}), "ok", 0);
  EXPECT_FALSE(Has(findings, Check::kNoSct));
  EXPECT_TRUE(Has(findings, Check::kClientAuthEku));
  EXPECT_TRUE(Has(findings, Check::kNoOcspStaple));
  EXPECT_FALSE(
      Has(FindingsOf(rich.Presented({&rich.leaf}), "ok", 0, "stapled"), Check::kNoOcspStaple));
  Chain server_only(EVP_sha256(), {.eku = "serverAuth"});
  EXPECT_FALSE(Has(FindingsOf(server_only.Presented({&server_only.leaf})), Check::kClientAuthEku));
}

TEST(PostureChecksTest, ValidityTooLongOnTheLeaf) {
  const long issued = static_cast<long>(Utc(2026, 12, 1));
  Chain long_lived(EVP_sha256(), {.not_before = issued, .not_after = issued + 399 * 86400L});
  EXPECT_TRUE(Has(FindingsOf(long_lived.Presented({&long_lived.leaf})), Check::kValidityTooLong));
  Chain short_lived(EVP_sha256(), {.not_before = issued, .not_after = issued + 90 * 86400L});
  EXPECT_FALSE(
      Has(FindingsOf(short_lived.Presented({&short_lived.leaf})), Check::kValidityTooLong));
}

TEST(PostureChecksTest, ProtocolAndCipherFindingsAreSortedAndUnique) {
  CheckInput input;
  input.versions = {{"TLS 1.0", true, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", ""},
                    {"TLS 1.1", true, "", ""},
                    {"TLS 1.2", true, "", ""},
                    {"TLS 1.3", false, "", "tls_alert"}};
  input.ciphers = {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"};
  EXPECT_EQ(Findings(input), (std::vector<Check>{Check::kLegacyProtocol, Check::kWeakCipher}));
  input.versions[0].accepted = false;
  input.versions[1].accepted = false;
  input.ciphers = {"TLS_AES_128_GCM_SHA256"};
  EXPECT_TRUE(Findings(input).empty());
}

TEST(PostureChecksTest, CheckInputTakesTheNewestAcceptedHandshakesEvidence) {
  Chain c;
  const auto der = [](const UniqueX509& cert) {
    unsigned char* out = nullptr;
    const int length = i2d_X509(cert.get(), &out);
    std::string bytes(reinterpret_cast<char*>(out), static_cast<std::size_t>(length));
    OPENSSL_free(out);
    return bytes;
  };
  std::vector<probe::ProbeResult> shakes(4);
  auto evidence = std::make_shared<probe::HandshakeEvidence>();
  evidence->chain_der = {der(c.leaf), der(c.intermediate), "garbage"};
  evidence->handshake_scts = 3;
  shakes[2].evidence = evidence;
  shakes[2].verify_result = "ok";
  shakes[2].cipher = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
  const std::vector<VersionResult> versions = {{"TLS 1.0", false, "", ""},
                                               {"TLS 1.1", false, "", ""},
                                               {"TLS 1.2", true, "", ""},
                                               {"TLS 1.3", false, "", ""}};
  const CheckInput input = CheckInputOf(versions, shakes);
  ASSERT_EQ(input.chain.size(), 2U);  // The unparseable entry is skipped.
  EXPECT_EQ(input.handshake_scts, 3);
  EXPECT_EQ(input.verify_result, "ok");
  EXPECT_EQ(input.ciphers, std::vector<std::string>{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
}

}  // namespace
}  // namespace portwarden::posture
