#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portwarden::exporters::prom {

/// The compressed head of a gzip member that is not finished yet: raw deflate data cut at a
/// sync flush (byte-aligned, no final block), so further deflate data may follow it, plus the
/// CRC-32 and length of what it holds. Immutable once made; shared by every scrape.
struct DeflatedPrefix {
  std::string deflated;
  std::uint32_t crc = 0;
  std::uint64_t size = 0;  ///< uncompressed bytes
};

/// Compresses `data` (zlib's default level) into a DeflatedPrefix; nullopt if zlib fails.
std::optional<DeflatedPrefix> DeflatePrefix(std::string_view data);

/// One gzip member (RFC 1952) holding prefix's data followed by `tail`: the header, the cached
/// deflate data, `tail` deflated on its own (its back-references stay inside it, so the two
/// streams join), and the trailer with the combined CRC. Costs a copy of the prefix and the
/// compression of `tail` only. nullopt if zlib fails.
std::optional<std::string> GzipWithPrefix(const DeflatedPrefix& prefix, std::string_view tail);

}  // namespace portwarden::exporters::prom
