#include "agent/probe/tls_groups.h"

#include <algorithm>
#include <array>

namespace portwarden::probe::groups {
namespace {

// Share sizes: RFC 8446 4.2.8.2 (uncompressed points 1 + 2·field bytes, X25519 32, X448 56),
// RFC 7919 (FFDHE: the prime's size), draft-ietf-tls-ecdhe-mlkem (hybrids: ML-KEM-768
// encapsulation key 1184 / ciphertext 1088, ML-KEM-1024 1568 / 1568, concatenated with the
// classical share in the order the draft fixes for each).
constexpr std::array kGroups{
    Group{0x001D, "x25519", "X25519", "X25519", ShareKind::kClassical, 0, 32, 32},
    Group{0x0017, "secp256r1", "P-256", "EC", ShareKind::kClassical, 0, 65, 65},
    Group{0x0018, "secp384r1", "P-384", "EC", ShareKind::kClassical, 0, 97, 97},
    Group{0x0019, "secp521r1", "P-521", "EC", ShareKind::kClassical, 0, 133, 133},
    Group{0x001E, "x448", "X448", "X448", ShareKind::kClassical, 0, 56, 56},
    Group{0x0100, "ffdhe2048", "ffdhe2048", "DH", ShareKind::kClassical, 0, 256, 256},
    Group{0x0101, "ffdhe3072", "ffdhe3072", "DH", ShareKind::kClassical, 0, 384, 384},
    Group{0x11EC, "X25519MLKEM768", "X25519", "X25519", ShareKind::kMlKemFirst, 3, 1184 + 32,
          1088 + 32},
    Group{0x11EB, "SecP256r1MLKEM768", "P-256", "EC", ShareKind::kClassicalFirst, 3, 65 + 1184,
          65 + 1088},
    Group{0x11ED, "SecP384r1MLKEM1024", "P-384", "EC", ShareKind::kClassicalFirst, 4, 97 + 1568,
          97 + 1568},
};

}  // namespace

std::span<const Group> All() {
  return kGroups;
}

std::optional<Group> FindByName(std::string_view name) {
  const auto* it = std::find_if(kGroups.begin(), kGroups.end(),
                                [&](const Group& group) { return group.name == name; });
  return it != kGroups.end() ? std::optional(*it) : std::nullopt;
}

std::optional<Group> FindByCodepoint(std::uint16_t codepoint) {
  const auto* it = std::find_if(kGroups.begin(), kGroups.end(),
                                [&](const Group& group) { return group.codepoint == codepoint; });
  return it != kGroups.end() ? std::optional(*it) : std::nullopt;
}

}  // namespace portwarden::probe::groups
