// Key shares for group detection: sizes, well-formed ML-KEM keys, classical parts OpenSSL
// itself accepts as public keys; and the verdict a server's reply gives.
#include "agent/probe/key_share.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "agent/probe/group_probe.h"
#include "agent/probe/tls_groups.h"

namespace portwarden::probe::groups {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

TEST(TlsGroupsTest, NamesAndCodepointsAreTheIanaOnes) {
  EXPECT_EQ(FindByName("X25519MLKEM768")->codepoint, 0x11EC);
  EXPECT_EQ(FindByName("X25519MLKEM768")->client_share_size, 1216u);
  EXPECT_EQ(FindByName("x25519")->codepoint, 0x001D);
  EXPECT_EQ(FindByName("secp256r1")->codepoint, 0x0017);
  EXPECT_EQ(FindByName("ffdhe2048")->codepoint, 0x0100);
  EXPECT_EQ(FindByCodepoint(0x001E)->name, "x448");
  EXPECT_FALSE(FindByName("X25519"));  // the label uses IANA's spelling, not OpenSSL's
  EXPECT_FALSE(FindByCodepoint(0x6399));
}

TEST(KeyShareTest, EveryGroupGetsAShareOfItsSize) {
  for (const Group& group : All()) {
    const auto share = MakeKeyShare(group);
    ASSERT_TRUE(share) << group.name << ": " << share.error().message;
    EXPECT_EQ(share->size(), group.client_share_size) << group.name;
  }
}

TEST(KeyShareTest, SharedSharesAreReusedPerGroup) {
  const Group p256 = *FindByName("secp256r1");
  const auto first = SharedKeyShare(p256);
  const auto again = SharedKeyShare(p256);
  ASSERT_TRUE(first && again);
  EXPECT_EQ(*first, *again);  // the same share within kShareLifetime
  const auto other = SharedKeyShare(*FindByName("x25519"));
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)->size(), 32u);
}

TEST(KeyShareTest, EncodedMlKemKeysPassTheModulusCheck) {
  for (int k : {3, 4}) {
    std::vector<std::uint8_t> random(MlKemRandomBytes(k), 0xFF);  // 0xFFFF mod q = 2285
    const auto key = EncodeMlKemKey(k, random);
    EXPECT_EQ(key.size(), MlKemEncapsulationKeySize(k));
    EXPECT_TRUE(MlKemKeyWellFormed(k, key));
  }
  EXPECT_EQ(MlKemEncapsulationKeySize(3), 1184u);
  std::vector<std::uint8_t> bad(1184, 0xFF);  // every coefficient 4095 >= q
  EXPECT_FALSE(MlKemKeyWellFormed(3, bad));
  EXPECT_TRUE(EncodeMlKemKey(3, std::vector<std::uint8_t>(10)).empty());
}

TEST(KeyShareTest, HybridSharesPutEachPartWhereTheDraftSays) {
  const auto x25519_mlkem = MakeKeyShare(*FindByName("X25519MLKEM768"));
  ASSERT_TRUE(x25519_mlkem);
  EXPECT_TRUE(MlKemKeyWellFormed(3, std::span(*x25519_mlkem).first(1184)));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> x25519(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, x25519_mlkem->data() + 1184, 32));
  EXPECT_TRUE(x25519);

  const auto p256_mlkem = MakeKeyShare(*FindByName("SecP256r1MLKEM768"));
  ASSERT_TRUE(p256_mlkem);
  EXPECT_EQ((*p256_mlkem)[0], 0x04);  // uncompressed point first
  EXPECT_TRUE(MlKemKeyWellFormed(3, std::span(*p256_mlkem).subspan(65)));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> p256(EVP_EC_gen("P-256"));
  EXPECT_EQ(EVP_PKEY_set1_encoded_public_key(p256.get(), p256_mlkem->data(), 65), 1);
}

hello::ServerReply Tls13(hello::ReplyKind kind, std::uint16_t group) {
  hello::ServerReply reply;
  reply.kind = kind;
  reply.selected_version = 0x0304;
  reply.group = group;
  return reply;
}

TEST(JudgeReplyTest, TheServersChoiceDecides) {
  const Group mlkem = *FindByName("X25519MLKEM768");
  const auto sh = JudgeReply(mlkem, Tls13(hello::ReplyKind::kServerHello, 0x11EC));
  EXPECT_EQ(sh.supported, true);
  EXPECT_EQ(sh.group, "X25519MLKEM768");
  EXPECT_EQ(JudgeReply(mlkem, Tls13(hello::ReplyKind::kHelloRetryRequest, 0x11EC)).supported, true);
  const auto other = JudgeReply(mlkem, Tls13(hello::ReplyKind::kHelloRetryRequest, 0x001D));
  EXPECT_EQ(other.supported, false);
  EXPECT_EQ(other.detail, "HelloRetryRequest for x25519 (not offered)");

  hello::ServerReply alert;
  alert.kind = hello::ReplyKind::kAlert;
  alert.alert_description = 40;
  EXPECT_EQ(JudgeReply(mlkem, alert).supported, false);
  alert.alert_description = 70;
  EXPECT_EQ(JudgeReply(mlkem, alert).error_reason, probe::group_failure::kNoTls13);

  hello::ServerReply tls12;
  EXPECT_EQ(JudgeReply(mlkem, tls12).error_reason, probe::group_failure::kNoTls13);
  const auto malformed = JudgeReply(mlkem, std::unexpected(hello::ReplyError{false, "junk"}));
  EXPECT_FALSE(malformed.supported);
  EXPECT_EQ(malformed.error_reason, probe::group_failure::kMalformed);
}

}  // namespace
}  // namespace portwarden::probe::groups
