// Format detection is by content, not by file name (a ".crt" is often DER, a ".pem" a
// bundle): PEM armour anywhere, else the JKS/JCEKS magic number, else DER (an X.509
// SEQUENCE, or a PKCS#12 PFX when that fails). Each reader stops at its caps.
#include "agent/certfiles/cert_file_parser.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <span>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "agent/certfiles/jks_parser.h"
#include "agent/core/ascii.h"
#include "agent/core/openssl_error.h"
#include "agent/core/openssl_handles.h"
#include "agent/core/text_sanitize.h"
#include "agent/probe/certificate_info.h"

namespace portwarden::certfiles {
namespace {

using Parsed = std::expected<ParsedFile, ParseProblem>;

std::unexpected<ParseProblem> Problem(FileError reason, std::string detail) {
  return std::unexpected(ParseProblem{reason, std::move(detail)});
}

// Never asks a terminal for a PEM pass phrase: certificates are not encrypted.
int NoPassword(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

struct Pkcs12Deleter {
  void operator()(PKCS12* p12) const { PKCS12_free(p12); }
};

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// Adds `cert` unless the cap is reached (then notes the problem); false once full.
bool Keep(ParsedFile& out, UniqueX509 cert) {
  if (out.certificates.size() >= kMaxCertificatesPerFile) {
    out.problem = ParseProblem{FileError::kTooManyCertificates,
                               "more than " + std::to_string(kMaxCertificatesPerFile) +
                                   " certificates; the first ones are reported"};
    return false;
  }
  out.certificates.push_back(std::move(cert));
  return true;
}

Parsed ParsePem(std::string_view bytes) {
  ParsedFile out;
  out.format = "pem";
  const UniqueBio bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  ERR_clear_error();
  while (true) {
    UniqueX509 cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassword, nullptr));
    if (!cert) {
      break;
    }
    if (!Keep(out, std::move(cert))) {
      ERR_clear_error();
      return out;
    }
  }
  const unsigned long code = ERR_peek_last_error();
  const bool clean_end =
      ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
  const std::string reason = OpenSslLastError();
  if (out.certificates.empty()) {
    return clean_end ? Problem(FileError::kNoCertificate, "no CERTIFICATE block")
                     : Problem(FileError::kMalformed, "PEM: " + reason);
  }
  if (!clean_end) {
    out.problem =
        ParseProblem{FileError::kMalformed, "PEM block after the last certificate: " + reason};
  }
  return out;
}

Parsed ParseDerCertificates(std::string_view bytes) {
  ParsedFile out;
  out.format = "der";
  const auto* cursor = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = cursor + bytes.size();
  while (cursor < end) {
    UniqueX509 cert(d2i_X509(nullptr, &cursor, end - cursor));
    if (!cert) {
      const std::string reason = OpenSslLastError();
      if (out.certificates.empty()) {
        return Problem(FileError::kMalformed, "DER: " + reason);
      }
      out.problem =
          ParseProblem{FileError::kMalformed, "DER after the last certificate: " + reason};
      return out;
    }
    if (!Keep(out, std::move(cert))) {
      return out;
    }
  }
  return out;
}

// A MAC iteration count costs CPU before anything is known about the file: a hostile bundle
// asking for billions would hold the job. Java and OpenSSL write 2,048 to 100,000.
constexpr long kMaxPkcs12MacIterations = 1'000'000;

bool MacIterationsBounded(const PKCS12* p12) {
  const ASN1_INTEGER* iterations = nullptr;
  PKCS12_get0_mac(nullptr, nullptr, nullptr, &iterations, p12);
  return iterations == nullptr || ASN1_INTEGER_get(iterations) <= kMaxPkcs12MacIterations;
}

// The password that opens `p12`: the configured one, or "" then none.
std::optional<const char*> Pkcs12Password(PKCS12* p12, const std::optional<std::string>& password) {
  if (password) {
    if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, password->c_str(), -1) == 1) {
      return password->c_str();
    }
    return std::nullopt;
  }
  if (!PKCS12_mac_present(p12) || PKCS12_verify_mac(p12, "", 0) == 1) {
    return "";
  }
  if (PKCS12_verify_mac(p12, nullptr, 0) == 1) {
    return nullptr;
  }
  return std::nullopt;
}

Parsed ParsePkcs12(std::string_view bytes, const std::optional<std::string>& password) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::unique_ptr<PKCS12, Pkcs12Deleter> p12(
      d2i_PKCS12(nullptr, &cursor, static_cast<long>(bytes.size())));
  if (!p12) {
    return Problem(FileError::kMalformed, "neither X.509 nor PKCS#12 DER: " + OpenSslLastError());
  }
  if (!MacIterationsBounded(p12.get())) {
    return Problem(FileError::kUnsupported, "PKCS#12 MAC iteration count above 1,000,000");
  }
  const auto pass = Pkcs12Password(p12.get(), password);
  if (!pass) {
    ERR_clear_error();
    return Problem(FileError::kBadPassword,
                   password ? "PKCS#12 MAC does not verify with the password_file's password"
                            : "PKCS#12 MAC does not verify with the empty password; set "
                              "password_file");
  }
  EVP_PKEY* raw_key = nullptr;
  X509* raw_leaf = nullptr;
  STACK_OF(X509)* raw_ca = nullptr;
  if (PKCS12_parse(p12.get(), *pass, &raw_key, &raw_leaf, &raw_ca) != 1) {
    const std::string reason = OpenSslLastError();
    const bool unsupported = reason.find("unsupported") != std::string::npos;
    return Problem(unsupported ? FileError::kUnsupported : FileError::kMalformed,
                   "PKCS#12: " + reason);
  }
  const std::unique_ptr<EVP_PKEY, PkeyDeleter> key(raw_key);  // not needed: freed at once
  const UniqueX509Stack ca(raw_ca);
  ParsedFile out;
  out.format = "pkcs12";
  if (raw_leaf != nullptr) {
    Keep(out, UniqueX509(raw_leaf));
  }
  while (ca && sk_X509_num(ca.get()) > 0) {
    UniqueX509 cert(sk_X509_shift(ca.get()));
    if (!Keep(out, std::move(cert))) {
      break;
    }
  }
  if (out.certificates.empty()) {
    return Problem(FileError::kNoCertificate, "PKCS#12 holds no certificate");
  }
  return out;
}

Parsed ParseJksFile(std::string_view bytes, const std::optional<std::string>& password) {
  const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
  auto keystore = ParseJks(data);
  if (!keystore) {
    switch (keystore.error()) {
      case JksError::kUnsupported:
        return Problem(FileError::kUnsupported, "JCEKS secret-key entry or non-X.509 certificate");
      case JksError::kTooMany:
        return Problem(FileError::kTooManyCertificates, "more entries than a keystore may have");
      default:
        return Problem(FileError::kMalformed, "JKS: truncated or inconsistent lengths");
    }
  }
  if (password && !JksDigestMatches(*keystore, *password)) {
    return Problem(FileError::kBadPassword,
                   "JKS digest does not verify with the password_file's password");
  }
  ParsedFile out;
  out.format = keystore->jceks ? "jceks" : "jks";
  for (const JksEntry& entry : keystore->entries) {
    for (const auto der : entry.certificates) {
      const auto* cursor = der.data();
      UniqueX509 cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
      if (!cert) {
        return Problem(FileError::kMalformed, "JKS entry: " + OpenSslLastError());
      }
      if (!Keep(out, std::move(cert))) {
        return out;
      }
    }
  }
  if (out.certificates.empty()) {
    return Problem(FileError::kNoCertificate, "keystore holds no certificate");
  }
  return out;
}

// DNS and IP subjectAltNames, else the CN: the names a client would check.
std::vector<std::string> CertificateNames(const X509* cert, const probe::CertificateInfo& info) {
  std::vector<std::string> names;
  const UniqueGeneralNames sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type == GEN_DNS) {
      names.push_back(AsciiLower(probe::AsnStringText(name->d.dNSName)));
    }
    if (names.size() >= kMaxNamesPerCertificate) {
      break;
    }
  }
  if (names.empty() && !info.subject_cn.empty()) {
    names.push_back(AsciiLower(info.subject_cn));
  }
  // IP SANs are in info.san already; they are matched from there (see drift.cc).
  return names;
}

}  // namespace

std::expected<ParsedFile, ParseProblem> ParseCertificateFile(
    std::string_view bytes, const std::optional<std::string>& password) {
  if (bytes.empty()) {
    return Problem(FileError::kMalformed, "empty file");
  }
  if (bytes.find("-----BEGIN ") != std::string_view::npos) {
    return ParsePem(bytes);
  }
  const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
  if (LooksLikeJks(data)) {
    return ParseJksFile(bytes, password);
  }
  if (static_cast<unsigned char>(bytes.front()) != 0x30) {
    return Problem(FileError::kMalformed, "not PEM, DER, PKCS#12 or JKS");
  }
  auto der = ParseDerCertificates(bytes);
  if (der || der.error().reason != FileError::kMalformed) {
    return der;
  }
  return ParsePkcs12(bytes, password);
}

DiskCertificate DescribeDiskCertificate(const X509* cert, const std::string& path, int index) {
  DiskCertificate out;
  out.path = path;
  out.index = index;
  out.info = probe::DescribeCertificate(cert, index);
  out.names = CertificateNames(cert, out.info);
  out.is_ca = X509_check_ca(const_cast<X509*>(cert)) != 0;  // NOLINT: OpenSSL's API is not const
  return out;
}

}  // namespace portwarden::certfiles
