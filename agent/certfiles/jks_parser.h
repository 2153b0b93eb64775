#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// A bounded reader of Java's JKS and JCEKS keystore formats (sun.security.provider.
/// JavaKeyStore, com.sun.crypto.provider.JceKeyStore), as Tomcat's older connectors use them.
/// Certificates are stored unencrypted in both; private keys are skipped, never decrypted.
/// Pure: no I/O; every length is checked against what remains, so hostile input costs at most
/// one pass over it. Thread-safe.
namespace portwarden::certfiles {

/// What kind of entry a certificate came from.
enum class JksEntryKind : std::uint8_t { kPrivateKey = 1, kTrustedCertificate = 2 };

/// One entry's certificates, as DER bytes pointing into the parsed input.
struct JksEntry {
  JksEntryKind kind = JksEntryKind::kTrustedCertificate;
  std::string alias;  ///< Raw modified-UTF-8 bytes of the alias, as stored.
  std::vector<std::span<const std::uint8_t>> certificates;  ///< X.509 DER; chain order.
};

/// A parsed keystore. `digest_input` and `digest` are what the keyed SHA-1 covers.
struct JksKeystore {
  bool jceks = false;
  std::uint32_t version = 0;
  std::vector<JksEntry> entries;
  std::span<const std::uint8_t> digest_input;  ///< Every byte before the digest.
  std::span<const std::uint8_t> digest;        ///< The 20-byte trailer.
};

/// Why parsing stopped.
enum class JksError : std::uint8_t {
  kNotJks,       ///< The magic number is neither JKS (FEEDFEED) nor JCEKS (CECECECE).
  kMalformed,    ///< Truncated, a length beyond the input, a bad tag or version, trailing bytes.
  kUnsupported,  ///< A JCEKS secret-key entry (a serialized Java object) or a non-X.509 cert.
  kTooMany,      ///< More entries or certificates than the caps below.
};

inline constexpr std::uint32_t kMaxJksEntries = 4096;
inline constexpr std::uint32_t kMaxJksCertificates = 1024;  ///< over all entries

/// True when `bytes` starts with the JKS or JCEKS magic number.
bool LooksLikeJks(std::span<const std::uint8_t> bytes);

/// Parses a whole keystore; the input must end exactly after the 20-byte digest.
std::expected<JksKeystore, JksError> ParseJks(std::span<const std::uint8_t> bytes);

/// Checks the keystore's integrity digest with `password` (UTF-8; converted to the UTF-16
/// code units Java hashes): SHA-1(password as UTF-16BE ‖ "Mighty Aphrodite" ‖ content).
bool JksDigestMatches(const JksKeystore& keystore, std::string_view password);

}  // namespace portwarden::certfiles
