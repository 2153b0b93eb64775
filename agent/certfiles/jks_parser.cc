// The JKS layout (big-endian), as sun.security.provider.JavaKeyStore writes it:
//   u32 magic FEEDFEED (JCEKS: CECECECE) | u32 version (1, 2) | u32 entry count
//   per entry: u32 tag | UTF alias (u16 length + bytes) | u64 date (ms)
//     tag 1 (private key): u32 length + encrypted key (skipped) | u32 chain length
//                          | per certificate: [v2: UTF type] u32 length + DER
//     tag 2 (trusted certificate): [v2: UTF type] u32 length + DER
//     tag 3 (JCEKS secret key): a serialized Java SealedObject: refused as unsupported
//   20-byte SHA-1 digest keyed with the store password.
// A cursor over the input refuses any read past its end, so every length is checked.
#include "agent/certfiles/jks_parser.h"

#include <algorithm>
#include <array>
#include <memory>

#include <openssl/evp.h>

namespace portwarden::certfiles {
namespace {

constexpr std::uint32_t kJksMagic = 0xFEEDFEED;
constexpr std::uint32_t kJceksMagic = 0xCECECECE;
constexpr std::size_t kDigestBytes = 20;

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::optional<std::uint32_t> U32() { return Number(4); }

  std::optional<std::uint32_t> U16() { return Number(2); }

  std::optional<std::span<const std::uint8_t>> Take(std::size_t size) {
    if (size > bytes_.size() - offset_) {
      return std::nullopt;
    }
    auto out = bytes_.subspan(offset_, size);
    offset_ += size;
    return out;
  }

  /// A Java modified-UTF-8 string: u16 length, then bytes.
  std::optional<std::span<const std::uint8_t>> Utf() {
    auto size = U16();
    return size ? Take(*size) : std::nullopt;
  }

  /// A u32 length then that many bytes.
  std::optional<std::span<const std::uint8_t>> Blob() {
    auto size = U32();
    return size ? Take(*size) : std::nullopt;
  }

  std::size_t offset() const { return offset_; }

  std::size_t remaining() const { return bytes_.size() - offset_; }

 private:
  std::optional<std::uint32_t> Number(std::size_t size) {
    auto raw = Take(size);
    if (!raw) {
      return std::nullopt;
    }
    std::uint32_t value = 0;
    for (const std::uint8_t byte : *raw) {
      value = (value << 8) | byte;
    }
    return value;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

using Step = std::expected<void, JksError>;

std::unexpected<JksError> Malformed() {
  return std::unexpected(JksError::kMalformed);
}

// One certificate: [v2: type "X.509"] then its DER.
Step ReadCertificate(Cursor& in, std::uint32_t version, std::size_t& total, JksEntry& entry) {
  if (version == 2) {
    auto type = in.Utf();
    if (!type) {
      return Malformed();
    }
    const std::string_view name(reinterpret_cast<const char*>(type->data()), type->size());
    if (name != "X.509" && name != "X509") {
      return std::unexpected(JksError::kUnsupported);
    }
  }
  auto der = in.Blob();
  if (!der) {
    return Malformed();
  }
  if (++total > kMaxJksCertificates) {
    return std::unexpected(JksError::kTooMany);
  }
  entry.certificates.push_back(*der);
  return {};
}

Step ReadEntry(Cursor& in, std::uint32_t version, std::size_t& total, JksEntry& entry) {
  auto tag = in.U32();
  auto alias = tag ? in.Utf() : std::nullopt;
  if (!alias || !in.Take(8)) {  // the date
    return Malformed();
  }
  entry.alias.assign(alias->begin(), alias->end());
  if (*tag == 2) {
    entry.kind = JksEntryKind::kTrustedCertificate;
    return ReadCertificate(in, version, total, entry);
  }
  if (*tag == 3) {
    return std::unexpected(JksError::kUnsupported);
  }
  if (*tag != 1) {
    return Malformed();
  }
  entry.kind = JksEntryKind::kPrivateKey;
  auto chain = in.Blob() ? in.U32() : std::nullopt;  // the encrypted key, skipped
  if (!chain) {
    return Malformed();
  }
  // Each certificate takes at least 4 bytes: a count beyond that is a lie, refused early.
  if (*chain > in.remaining() / 4) {
    return Malformed();
  }
  for (std::uint32_t i = 0; i < *chain; ++i) {
    if (auto step = ReadCertificate(in, version, total, entry); !step) {
      return step;
    }
  }
  return {};
}

// UTF-8 to the UTF-16 code units Java's char[] holds; an ill-formed byte stands for itself.
std::u16string Utf16(std::string_view text) {
  std::u16string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80       ? 1
                               : lead >> 5 == 6  ? 2
                               : lead >> 4 == 14 ? 3
                               : lead >> 3 == 30 ? 4
                                                 : 0;
    if (length <= 1 || i + length > text.size()) {
      out.push_back(lead);
      ++i;
      continue;
    }
    char32_t code = lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
    }
    if (code >= 0x10000) {
      code -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (code >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (code & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(code));
    }
    i += length;
  }
  return out;
}

}  // namespace

bool LooksLikeJks(std::span<const std::uint8_t> bytes) {
  Cursor in(bytes);
  const auto magic = in.U32();
  return magic && (*magic == kJksMagic || *magic == kJceksMagic);
}

std::expected<JksKeystore, JksError> ParseJks(std::span<const std::uint8_t> bytes) {
  Cursor in(bytes);
  const auto magic = in.U32();
  if (!magic || (*magic != kJksMagic && *magic != kJceksMagic)) {
    return std::unexpected(JksError::kNotJks);
  }
  JksKeystore keystore;
  keystore.jceks = *magic == kJceksMagic;
  const auto version = in.U32();
  const auto count = version ? in.U32() : std::nullopt;
  if (!count || (*version != 1 && *version != 2)) {
    return Malformed();
  }
  if (*count > kMaxJksEntries) {
    return std::unexpected(JksError::kTooMany);
  }
  keystore.version = *version;
  std::size_t total = 0;
  for (std::uint32_t i = 0; i < *count; ++i) {
    JksEntry entry;
    if (auto step = ReadEntry(in, *version, total, entry); !step) {
      return std::unexpected(step.error());
    }
    keystore.entries.push_back(std::move(entry));
  }
  if (in.remaining() != kDigestBytes) {
    return Malformed();
  }
  keystore.digest_input = bytes.first(in.offset());
  keystore.digest = bytes.subspan(in.offset());
  return keystore;
}

bool JksDigestMatches(const JksKeystore& keystore, std::string_view password) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  if (!sha || EVP_DigestInit_ex(sha.get(), EVP_sha1(), nullptr) != 1) {
    return false;
  }
  for (const char16_t unit : Utf16(password)) {
    const std::array<unsigned char, 2> be{static_cast<unsigned char>(unit >> 8),
                                          static_cast<unsigned char>(unit & 0xff)};
    EVP_DigestUpdate(sha.get(), be.data(), be.size());
  }
  constexpr std::string_view kWhitener = "Mighty Aphrodite";
  EVP_DigestUpdate(sha.get(), kWhitener.data(), kWhitener.size());
  EVP_DigestUpdate(sha.get(), keystore.digest_input.data(), keystore.digest_input.size());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(sha.get(), digest.data(), &size) != 1 || size != kDigestBytes) {
    return false;
  }
  return keystore.digest.size() == kDigestBytes &&
         std::equal(keystore.digest.begin(), keystore.digest.end(), digest.begin());
}

}  // namespace portwarden::certfiles
