// The JKS reader on keytool's output and on hand-built hostile keystores.
#include "agent/certfiles/jks_parser.h"

#include <gtest/gtest.h>

#include "cert_files_env.h"

namespace portwarden::certfiles {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::span<const std::uint8_t> View(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void U32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

void Utf(Bytes& out, std::string_view text) {
  out.push_back(static_cast<std::uint8_t>(text.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

// A version-2 keystore header for `count` entries.
Bytes Header(std::uint32_t magic, std::uint32_t count) {
  Bytes out;
  U32(out, magic);
  U32(out, 2);
  U32(out, count);
  return out;
}

void TrustedEntry(Bytes& out, const Bytes& der) {
  U32(out, 2);
  Utf(out, "alias");
  out.insert(out.end(), 8, 0);  // date
  Utf(out, "X.509");
  U32(out, static_cast<std::uint32_t>(der.size()));
  out.insert(out.end(), der.begin(), der.end());
}

void Digest(Bytes& out) {
  out.insert(out.end(), 20, 0xab);
}

TEST(JksParserTest, KeytoolKeystoreParsesAndItsDigestVerifies) {
  const std::string bytes = testing_support::ReadGenerated("keystore.jks");
  auto keystore = ParseJks(View(bytes));
  ASSERT_TRUE(keystore);
  EXPECT_FALSE(keystore->jceks);
  EXPECT_EQ(keystore->version, 2U);
  ASSERT_EQ(keystore->entries.size(), 2U);
  std::size_t private_keys = 0;
  for (const auto& entry : keystore->entries) {
    if (entry.kind == JksEntryKind::kPrivateKey) {
      ++private_keys;
      EXPECT_EQ(entry.alias, "site");
      EXPECT_EQ(entry.certificates.size(), 2U);  // leaf and root
    } else {
      EXPECT_EQ(entry.alias, "root");
      EXPECT_EQ(entry.certificates.size(), 1U);
    }
  }
  EXPECT_EQ(private_keys, 1U);
  EXPECT_TRUE(JksDigestMatches(*keystore, "changeit"));
  EXPECT_FALSE(JksDigestMatches(*keystore, "changeiT"));
  EXPECT_FALSE(JksDigestMatches(*keystore, ""));
}

TEST(JksParserTest, NotAKeystore) {
  EXPECT_EQ(ParseJks(View("")).error(), JksError::kNotJks);
  EXPECT_EQ(ParseJks(View("\x30\x82\x01\x00")).error(), JksError::kNotJks);
  EXPECT_FALSE(LooksLikeJks(View("\xfe\xed")));
}

TEST(JksParserTest, HandBuiltTrustedEntry) {
  Bytes bytes = Header(0xFEEDFEED, 1);
  TrustedEntry(bytes, {0x30, 0x00});
  Digest(bytes);
  auto keystore = ParseJks(bytes);
  ASSERT_TRUE(keystore);
  ASSERT_EQ(keystore->entries.size(), 1U);
  EXPECT_EQ(keystore->entries[0].certificates[0].size(), 2U);
  EXPECT_EQ(keystore->digest.size(), 20U);
}

TEST(JksParserTest, JceksSecretKeyIsUnsupported) {
  Bytes bytes = Header(0xCECECECE, 1);
  U32(bytes, 3);
  Utf(bytes, "secret");
  bytes.insert(bytes.end(), 8, 0);
  bytes.insert(bytes.end(), 40, 0xac);  // a serialized Java object
  Digest(bytes);
  EXPECT_EQ(ParseJks(bytes).error(), JksError::kUnsupported);
}

TEST(JksParserTest, LiesAreMalformed) {
  Bytes lying_length = Header(0xFEEDFEED, 1);
  TrustedEntry(lying_length, {0x30, 0x00});
  lying_length[lying_length.size() - 3] = 0xff;  // the DER length: 2 -> 255, beyond the end
  Digest(lying_length);
  Bytes trailing = Header(0xFEEDFEED, 1);
  TrustedEntry(trailing, {0x30, 0x00});
  Digest(trailing);
  trailing.push_back(0);
  Bytes bad_tag = Header(0xFEEDFEED, 1);
  U32(bad_tag, 9);
  Bytes bad_version = Header(0xFEEDFEED, 0);
  bad_version[7] = 7;
  Bytes huge_chain = Header(0xFEEDFEED, 1);
  U32(huge_chain, 1);
  Utf(huge_chain, "k");
  huge_chain.insert(huge_chain.end(), 8, 0);
  U32(huge_chain, 0);           // empty key
  U32(huge_chain, 0xffffffff);  // four billion certificates
  Digest(huge_chain);
  for (const Bytes* bytes : {&lying_length, &trailing, &bad_tag, &bad_version, &huge_chain}) {
    auto keystore = ParseJks(*bytes);
    ASSERT_FALSE(keystore);
    EXPECT_EQ(keystore.error(), JksError::kMalformed);
  }
}

TEST(JksParserTest, TooManyEntriesRefusedBeforeReadingThem) {
  const Bytes bytes = Header(0xFEEDFEED, kMaxJksEntries + 1);
  EXPECT_EQ(ParseJks(bytes).error(), JksError::kTooMany);
}

TEST(JksParserTest, EveryPrefixOfKeytoolsKeystoreIsRefused) {
  const std::string bytes = testing_support::ReadGenerated("keystore.jks");
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(ParseJks(View(bytes).first(size))) << size;
  }
}

}  // namespace
}  // namespace portwarden::certfiles
