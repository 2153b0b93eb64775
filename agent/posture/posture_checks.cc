#include "agent/posture/posture_checks.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <ranges>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

namespace portwarden::posture {
namespace {

constexpr double kDay = 86400;

/// The CA/B Forum table (ballot SC-081): from each date on (Unix seconds, 00:00 UTC), the
/// longest validity in days. Checked in order; the first row whose date is not after
/// notBefore wins.
struct ValidityStep {
  double from;
  int max_days;
};

constexpr std::array<ValidityStep, 3> kValiditySteps = {{
    {1868227200, 47},   // 2029-03-15
    {1805068800, 100},  // 2027-03-15
    {1773532800, 200},  // 2026-03-15
}};
constexpr int kValidityBefore = 398;  // Before 2026-03-15 (since 2020-09-01).

constexpr std::array<std::string_view, 8> kWeakTokens = {"NULL", "anon",  "RC2",  "RC4",
                                                         "DES",  "DES40", "3DES", "MD5"};

bool HasWeakToken(std::string_view name) {
  for (const auto token : std::views::split(name, '_')) {
    const std::string_view part(token.begin(), token.end());
    if (part.starts_with("EXPORT") || std::ranges::find(kWeakTokens, part) != kWeakTokens.end()) {
      return true;
    }
  }
  return false;
}

bool IssuedBy(X509* cert, X509* issuer) {
  return X509_check_issued(issuer, cert) == X509_V_OK;
}

bool HasExtension(const X509* cert, int nid) {
  return X509_get_ext_by_NID(cert, nid, -1) >= 0;
}

bool NamesOcspResponder(X509* cert) {
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
  const bool any = urls != nullptr && sk_OPENSSL_STRING_num(urls) > 0;
  X509_email_free(urls);
  return any;
}

bool ClientAuthEku(X509* cert) {
  const uint32_t flags = X509_get_extension_flags(cert);
  return (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0;
}

bool IncompleteChain(const CheckInput& input) {
  // OpenSSL found no issuer for some certificate, and the chain does not end in a root the
  // server sent (that would be an untrusted root, not a missing link).
  return input.verify_result == "untrusted" && !input.chain.empty() &&
         !SelfSigned(input.chain.back().get());
}

bool AnyWeakSignature(const std::vector<UniqueX509>& chain) {
  return std::ranges::any_of(chain, [](const UniqueX509& cert) {
    return !SelfSigned(cert.get()) && WeakSignatureAlgorithm(cert.get());
  });
}

}  // namespace

int MaxValidityDays(double not_before) {
  for (const auto& step : kValiditySteps) {
    if (not_before >= step.from) {
      return step.max_days;
    }
  }
  return kValidityBefore;
}

bool ValidityTooLong(double not_before, double not_after) {
  return not_after - not_before > MaxValidityDays(not_before) * kDay;
}

bool IsWeakCipher(std::string_view iana_name) {
  return HasWeakToken(iana_name);
}

bool WeakKey(const X509* cert) {
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    return false;
  }
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
    case EVP_PKEY_DSA:
      return bits < 2048;
    case EVP_PKEY_EC:
      return bits < 256;
    default:
      return false;
  }
}

bool WeakSignatureAlgorithm(const X509* cert) {
  int digest = NID_undef;
  int key = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &digest, &key) != 1) {
    return false;
  }
  return digest == NID_sha1 || digest == NID_md5 || digest == NID_md5_sha1;
}

bool SelfSigned(X509* cert) {
  return X509_self_signed(cert, /*verify_signature=*/1) == 1;
}

bool ChainOutOfOrder(const std::vector<UniqueX509>& chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    X509* cert = chain[i].get();
    if (SelfSigned(cert)) {
      continue;  // A root, wherever it is, issues nothing that must follow it.
    }
    const bool next_issues = i + 1 < chain.size() && IssuedBy(cert, chain[i + 1].get());
    const bool issuer_elsewhere = std::ranges::any_of(chain, [&](const UniqueX509& other) {
      return other.get() != cert && IssuedBy(cert, other.get());
    });
    if (!next_issues && issuer_elsewhere) {
      return true;
    }
  }
  return false;
}

std::vector<Check> Findings(const CheckInput& input) {
  std::vector<Check> out;
  const auto accepted = [&](std::string_view version) {
    return std::ranges::any_of(
        input.versions, [&](const VersionResult& v) { return v.version == version && v.accepted; });
  };
  const auto add = [&](bool fired, Check check) {
    if (fired) {
      out.push_back(check);
    }
  };
  add(accepted("TLS 1.0") || accepted("TLS 1.1"), Check::kLegacyProtocol);
  add(std::ranges::any_of(input.ciphers, IsWeakCipher), Check::kWeakCipher);
  if (!input.chain.empty()) {
    X509* leaf = input.chain.front().get();
    add(std::ranges::any_of(input.chain, [](const auto& c) { return WeakKey(c.get()); }),
        Check::kWeakKey);
    add(AnyWeakSignature(input.chain), Check::kWeakSignature);
    add(IncompleteChain(input), Check::kIncompleteChain);
    add(ChainOutOfOrder(input.chain), Check::kChainOrder);
    const auto not_before = X509_get0_notBefore(leaf);
    const auto not_after = X509_get0_notAfter(leaf);
    int days = 0;
    int seconds = 0;
    if (not_before != nullptr && not_after != nullptr &&
        ASN1_TIME_diff(&days, &seconds, not_before, not_after) == 1) {
      std::tm parts{};
      if (ASN1_TIME_to_tm(not_before, &parts) == 1) {
        const double issued = static_cast<double>(timegm(&parts));
        add(ValidityTooLong(issued, issued + days * kDay + seconds), Check::kValidityTooLong);
      }
    }
    add(ClientAuthEku(leaf), Check::kClientAuthEku);
    add(!HasExtension(leaf, NID_ct_precert_scts) && input.handshake_scts == 0, Check::kNoSct);
    add(NamesOcspResponder(leaf) && input.ocsp_response.empty(), Check::kNoOcspStaple);
  }
  std::ranges::sort(out);
  return out;
}

std::vector<UniqueX509> ParseChain(const std::vector<std::string>& der) {
  std::vector<UniqueX509> chain;
  for (const auto& bytes : der) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    if (X509* cert = d2i_X509(nullptr, &data, static_cast<long>(bytes.size())); cert != nullptr) {
      chain.emplace_back(cert);
    }
  }
  return chain;
}

CheckInput CheckInputOf(const std::vector<VersionResult>& versions,
                        const std::vector<probe::ProbeResult>& handshakes) {
  CheckInput input;
  input.versions = versions;
  for (const auto& shake : handshakes) {
    if (!shake.cipher.empty()) {  // The ServerHello chose it, whatever happened next.
      input.ciphers.push_back(shake.cipher);
    }
  }
  for (std::size_t i = std::min(versions.size(), handshakes.size()); i-- > 0;) {
    const auto& shake = handshakes[i];
    if (versions[i].accepted && shake.evidence) {
      input.chain = ParseChain(shake.evidence->chain_der);
      input.verify_result = shake.verify_result;
      input.ocsp_response = shake.evidence->ocsp_response;
      input.handshake_scts = shake.evidence->handshake_scts;
      break;
    }
  }
  return input;
}

}  // namespace portwarden::posture
