#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct z_stream_s;

namespace portwarden::exporters::prom {

/// The head of a gzip member that is not finished yet: the gzip header and raw deflate data
/// cut at a sync flush (byte-aligned, no final block), so further deflate data may follow it,
/// plus the CRC-32 and length of what it holds. Immutable once made; shared by every scrape.
struct DeflatedPrefix {
  std::string member_head;  ///< gzip header + deflate data; a body's shared prefix as it is
  std::uint32_t crc = 0;
  std::uint64_t size = 0;  ///< uncompressed bytes
};

/// Compresses text handed to it piece by piece (zlib's default level) into a DeflatedPrefix,
/// so the whole text is never held: the output grows by the compressed size only. Not
/// thread-safe; one per rendering.
class PrefixDeflater {
 public:
  PrefixDeflater();

  /// Compresses `data` after what came before. Fails for good once zlib fails.
  void Append(std::string_view data);

  /// Ends at a sync flush and hands the result over (exact capacity); nullopt if zlib failed.
  std::optional<DeflatedPrefix> Finish() &&;

 private:
  struct StreamEnd {
    void operator()(z_stream_s* stream) const;
  };

  bool Pump(int flush);

  std::unique_ptr<z_stream_s, StreamEnd> stream_;
  DeflatedPrefix out_;
  bool failed_ = false;
};

/// Compresses `data` in one go into a DeflatedPrefix; nullopt if zlib fails.
std::optional<DeflatedPrefix> DeflatePrefix(std::string_view data);

/// The uncompressed text of `prefix` (exactly prefix.size bytes, CRC checked); nullopt if
/// the data do not inflate to it.
std::optional<std::string> InflatePrefix(const DeflatedPrefix& prefix);

/// What follows prefix.member_head to make one gzip member (RFC 1952) of prefix's data then
/// `tail`: `tail` deflated on its own (its back-references stay inside it, so the two streams
/// join) and the trailer with the combined CRC. Costs the compression of `tail` only: the
/// prefix is sent as it is. nullopt if zlib fails.
std::optional<std::string> GzipTail(const DeflatedPrefix& prefix, std::string_view tail);

/// The whole member, prefix.member_head + GzipTail (a copy of the prefix; tests).
std::optional<std::string> GzipWithPrefix(const DeflatedPrefix& prefix, std::string_view tail);

}  // namespace portwarden::exporters::prom
