// Certificate names of every ASN.1 string type, well-formed or not, built in memory with the
// OpenSSL API (which stores the bytes as given): the extracted text is always valid UTF-8,
// bounded, and as close to the name as the bytes allow.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"
#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"
#include "agent/probe/certificate_info.h"

namespace portwarden::probe {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

struct NameDeleter {
  void operator()(X509_NAME* name) const { X509_NAME_free(name); }
};

struct StringDeleter {
  void operator()(ASN1_STRING* s) const { ASN1_STRING_free(s); }
};

// The text of an ASN.1 string of `type` holding exactly `bytes` (as a decoded certificate
// would hold them: OpenSSL's decoder checks no content).
std::string CnOf(int type, const std::string& bytes) {
  std::unique_ptr<ASN1_STRING, StringDeleter> data(ASN1_STRING_type_new(type));
  EXPECT_EQ(ASN1_STRING_set(data.get(), bytes.data(), static_cast<int>(bytes.size())), 1);
  return AsnStringText(data.get());
}

TEST(CommonNameTest, FirstCommonNameOfAName) {
  std::unique_ptr<X509_NAME, NameDeleter> name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("org"), -1, -1, 0);
  X509_NAME_add_entry_by_NID(name.get(), NID_commonName, V_ASN1_BMPSTRING,
                             reinterpret_cast<const unsigned char*>("\0h\0\xE9"), 4, -1, 0);
  EXPECT_EQ(CommonName(name.get()), "h\xC3\xA9");
  const std::unique_ptr<X509_NAME, NameDeleter> empty(X509_NAME_new());
  EXPECT_EQ(CommonName(empty.get()), "");
}

struct Case {
  const char* name;
  int type;
  std::string bytes;
  std::string text;
};

class CommonNameTest : public ::testing::TestWithParam<Case> {};

TEST_P(CommonNameTest, IsValidUtf8WhateverTheStringType) {
  const std::string cn = CnOf(GetParam().type, GetParam().bytes);
  EXPECT_TRUE(utf8::IsValid(cn));
  EXPECT_EQ(cn, GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Asn1Types,
    CommonNameTest,
    ::testing::Values(
        Case{"utf8", V_ASN1_UTF8STRING, "caf\xC3\xA9", "caf\xC3\xA9"},
        Case{"utf8_invalid", V_ASN1_UTF8STRING, "a\xFF\xFE", "a" + kFffd + kFffd},
        Case{"utf8_surrogate", V_ASN1_UTF8STRING, "\xED\xA0\x80", kFffd + kFffd + kFffd},
        Case{"utf8_control_kept", V_ASN1_UTF8STRING, "\x1b[31m", "\x1b[31m"},
        Case{"bmp", V_ASN1_BMPSTRING, std::string("\0h\0\xE9", 4), "h\xC3\xA9"},
        Case{"bmp_odd_length", V_ASN1_BMPSTRING, std::string("\0h\0", 3), kFffd + "h" + kFffd},
        Case{"universal", V_ASN1_UNIVERSALSTRING, std::string("\0\x01\xF5\x12", 4),
             "\xF0\x9F\x94\x92"},
        Case{"t61_latin1", V_ASN1_T61STRING, "caf\xE9", "caf\xC3\xA9"},
        Case{"ia5_high_byte", V_ASN1_IA5STRING, "a\xFF", "a" + kFffd},
        Case{"printable_nul", V_ASN1_PRINTABLESTRING, std::string("a\0b", 3), "a" + kFffd + "b"},
        Case{"visible", V_ASN1_VISIBLESTRING, "plain", "plain"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(CommonNameTest, UniversalStringAboveU10FFFFOrSurrogateStaysValid) {
  for (const std::string& bytes :
       {std::string("\0\x11\0\0", 4), std::string("\0\0\xD8\0", 4), std::string("\0\0\0", 3)}) {
    const std::string cn = CnOf(V_ASN1_UNIVERSALSTRING, bytes);
    EXPECT_TRUE(utf8::IsValid(cn)) << ::testing::PrintToString(bytes);
    EXPECT_FALSE(cn.empty());
  }
  const std::string bmp = CnOf(V_ASN1_BMPSTRING, std::string("\xD8\0\0A", 4));  // lone surrogate
  EXPECT_TRUE(utf8::IsValid(bmp));
}

TEST(CommonNameTest, A60KbNameIsCutWithAMark) {
  const std::string cn = CnOf(V_ASN1_UTF8STRING, std::string(60 * 1024, 'x'));
  EXPECT_EQ(cn.size(), text::MaxBytes(text::Kind::kCertName));
  EXPECT_TRUE(cn.ends_with(text::kTruncationMark));
}

// A certificate whose subjectAltName holds `names` as dNSNames (IA5String, bytes as given).
UniqueX509 CertWithDnsNames(const std::vector<std::string>& names) {
  UniqueX509 cert(X509_new());
  UniqueGeneralNames list(sk_GENERAL_NAME_new_null());
  for (const std::string& dns : names) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size()));
    GENERAL_NAME_set0_value(name, GEN_DNS, ia5);
    sk_GENERAL_NAME_push(list.get(), name);
  }
  X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT);
  return cert;
}

TEST(SubjectAltNamesTest, InvalidBytesBecomeReplacementCharacters) {
  const UniqueX509 cert = CertWithDnsNames({"\xFF\xFE\x1b]0;x\x07", "good.example"});
  EXPECT_EQ(SubjectAltNames(cert.get()), kFffd + kFffd + "\x1b]0;x\x07,good.example");
}

TEST(SubjectAltNamesTest, TenThousandNamesAreCutWithAMark) {
  std::vector<std::string> names;
  for (int i = 0; i < 10000; ++i) {
    names.push_back("host-" + std::to_string(i) + ".example");
  }
  const UniqueX509 cert = CertWithDnsNames(names);
  const std::string san = SubjectAltNames(cert.get());
  EXPECT_LE(san.size(), text::MaxBytes(text::Kind::kCertNameList));
  EXPECT_TRUE(san.ends_with(text::kTruncationMark));
  EXPECT_TRUE(san.starts_with("host-0.example,host-1.example,"));
}

}  // namespace
}  // namespace portwarden::probe
