#include "exporters/prometheus/gzip_member.h"

#include <zlib.h>

#include <memory>

namespace portwarden::exporters::prom {
namespace {

struct DeflateEnd {
  void operator()(z_stream* stream) const { deflateEnd(stream); }
};

// Raw deflate (negative window bits: no zlib or gzip framing) of `data`, ended by `flush`.
std::optional<std::string> RawDeflate(std::string_view data, int flush) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  const std::unique_ptr<z_stream, DeflateEnd> guard(&stream);
  // deflateBound covers Z_FINISH; a sync flush adds an empty stored block (5 bytes).
  std::string out(deflateBound(&stream, data.size()) + 16, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, flush);
  const bool complete = flush == Z_FINISH
                            ? result == Z_STREAM_END
                            : result == Z_OK && stream.avail_in == 0 && stream.avail_out > 0;
  if (!complete) {
    return std::nullopt;
  }
  out.resize(stream.total_out);
  return out;
}

void AppendLittleEndian32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

std::uint32_t Crc(std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

std::optional<DeflatedPrefix> DeflatePrefix(std::string_view data) {
  auto deflated = RawDeflate(data, Z_SYNC_FLUSH);
  if (!deflated) {
    return std::nullopt;
  }
  return DeflatedPrefix{std::move(*deflated), Crc(data), data.size()};
}

std::optional<std::string> GzipWithPrefix(const DeflatedPrefix& prefix, std::string_view tail) {
  // The tail's stream carries the final block, even when the tail is empty.
  auto deflated_tail = RawDeflate(tail, Z_FINISH);
  if (!deflated_tail) {
    return std::nullopt;
  }
  // ID1 ID2, CM=deflate, no flags, no MTIME, no XFL, OS=Unix.
  static constexpr char kHeader[] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, 3};
  std::string out;
  out.reserve(sizeof kHeader + prefix.deflated.size() + deflated_tail->size() + 8);
  out.append(kHeader, sizeof kHeader);
  out += prefix.deflated;
  out += *deflated_tail;
  AppendLittleEndian32(out, static_cast<std::uint32_t>(crc32_combine(
                                prefix.crc, Crc(tail), static_cast<z_off_t>(tail.size()))));
  AppendLittleEndian32(out, static_cast<std::uint32_t>(prefix.size + tail.size()));
  return out;
}

}  // namespace portwarden::exporters::prom
