// `[revocation]`: how the posture job checks certificate revocation (CRLs).
#include "agent/config/sections.h"

namespace portwarden::config {

/// Largest crl_max_bytes accepted: public CAs' biggest CRLs are tens of MiB.
constexpr std::int64_t kMaxCrlBytes = 256LL * 1024 * 1024;

Status ReadRevocationSection(const TomlReader& reader,
                             const toml::node& node,
                             RevocationSettings& out) {
  auto table = reader.Table(node, "revocation");
  if (!table) {
    return std::unexpected(table.error());
  }
  const toml::table& t = **table;
  return reader.CheckKeys(t, "[revocation]", {"crl", "crl_max_bytes", "crl_cache_entries"})
      .and_then([&] {
        return TomlReader::Assign(t, "crl", out.crl, [&](const toml::node& n) {
          return reader.Bool(n, "revocation.crl");
        });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "crl_max_bytes", out.crl_max_bytes, [&](const toml::node& n) {
          return reader.Integer(n, "revocation.crl_max_bytes", 1024, kMaxCrlBytes);
        });
      })
      .and_then([&] {
        return TomlReader::Assign(
            t, "crl_cache_entries", out.crl_cache_entries, [&](const toml::node& n) {
              return reader.Integer(n, "revocation.crl_cache_entries", 1, 10'000);
            });
      });
}

}  // namespace portwarden::config
