#include "agent/probe/certificate_info.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "agent/core/openssl_handles.h"
#include "agent/core/text_sanitize.h"

namespace portwarden::probe {
namespace {

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  const int length = ASN1_STRING_length(ip);
  char buffer[INET6_ADDRSTRLEN] = {};
  const int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC ||
      inet_ntop(family, ASN1_STRING_get0_data(ip), buffer, sizeof(buffer)) == nullptr) {
    return "";
  }
  return buffer;
}

std::string KeyAlgorithm(const EVP_PKEY* key) {
  const int id = EVP_PKEY_get_base_id(key);
  switch (id) {
    case EVP_PKEY_RSA:
      return "RSA";
    case EVP_PKEY_EC:
      return "EC";
    case EVP_PKEY_ED25519:
      return "ED25519";
    case EVP_PKEY_ED448:
      return "ED448";
    case EVP_PKEY_DSA:
      return "DSA";
    default: {
      const char* name = OBJ_nid2sn(id);
      return name != nullptr ? name : "unknown";
    }
  }
}

}  // namespace

std::optional<double> AsnTimeToUnix(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    return std::nullopt;
  }
  return static_cast<double>(timegm(&parts));
}

std::string CommonName(const X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) {
    return "";
  }
  return AsnStringText(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
}

// OpenSSL converts every ASN.1 string type to UTF-8 (BMPString and UniversalString from
// UCS-2/UCS-4, T61String as Latin-1). The 7-bit types (IA5String: every dNSName;
// PrintableString, VisibleString) have no character above 0x7F, so their raw bytes are
// sanitized instead of being read as Latin-1: a stray 0xFF shows as U+FFFD, not as "ÿ".
// Input OpenSSL refuses (a UTF8String that is not UTF-8, a BMPString of odd length, a
// UniversalString value above U+10FFFF) is sanitized from its raw bytes too.
std::string AsnStringText(const ASN1_STRING* data) {
  if (data == nullptr) {
    return "";
  }
  const auto* raw = reinterpret_cast<const char*>(ASN1_STRING_get0_data(data));
  const std::string_view bytes(raw,
                               static_cast<std::size_t>(std::max(ASN1_STRING_length(data), 0)));
  const int type = ASN1_STRING_type(data);
  if (type == V_ASN1_IA5STRING || type == V_ASN1_PRINTABLESTRING || type == V_ASN1_VISIBLESTRING) {
    return text::Sanitize(bytes, text::Kind::kCertName);
  }
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    return text::Sanitize(bytes, text::Kind::kCertName);
  }
  std::string out =
      text::Sanitize({reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length)},
                     text::Kind::kCertName);
  OPENSSL_free(utf8);
  return out;
}

std::string SerialHex(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  const unsigned char* bytes = ASN1_STRING_get0_data(serial);
  std::string hex = Hex(bytes, static_cast<std::size_t>(ASN1_STRING_length(serial)));
  const auto first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

std::string FingerprintSha256(const X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // Fetched once: EVP_sha256() would make OpenSSL 3 look the implementation up in its
  // provider store (under a lock) at every call. Freed at exit before OpenSSL's own cleanup,
  // which was registered earlier.
  static const UniqueEvpMd sha256(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
  if (!sha256 || X509_digest(cert, sha256.get(), digest.data(), &size) != 1) {
    return "";
  }
  return Hex(digest.data(), size);
}

std::string SubjectAltNames(const X509* cert) {
  UniqueGeneralNames names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::string out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    std::string text;
    if (name->type == GEN_DNS) {
      text = AsnStringText(name->d.dNSName);
    } else if (name->type == GEN_IPADD) {
      text = IpText(name->d.iPAddress);
    } else {
      continue;
    }
    out += out.empty() ? text : "," + text;
    if (out.size() > text::MaxBytes(text::Kind::kCertNameList)) {
      break;  // 10,000 names would make a label of 200 KB: stop, and mark the cut below
    }
  }
  return text::Sanitize(out, text::Kind::kCertNameList);
}

CertificateInfo DescribeCertificate(const X509* cert, int chain_pos) {
  CertificateInfo info;
  info.chain_pos = chain_pos;
  info.not_before = AsnTimeToUnix(X509_get0_notBefore(cert)).value_or(0);
  info.not_after = AsnTimeToUnix(X509_get0_notAfter(cert)).value_or(0);
  info.subject_cn = CommonName(X509_get_subject_name(cert));
  info.issuer_cn = CommonName(X509_get_issuer_name(cert));
  info.serial = SerialHex(cert);
  info.fingerprint_sha256 = FingerprintSha256(cert);
  info.san = SubjectAltNames(cert);
  if (const EVP_PKEY* key = X509_get0_pubkey(cert); key != nullptr) {
    info.key_algorithm = KeyAlgorithm(key);
    info.key_bits = EVP_PKEY_get_bits(key);
  }
  const char* signature = OBJ_nid2ln(X509_get_signature_nid(cert));
  info.signature_algorithm = signature != nullptr ? signature : "unknown";
  return info;
}

}  // namespace portwarden::probe
