#include "exporters/prometheus/gzip_member.h"

#include <zlib.h>

namespace portwarden::exporters::prom {
namespace {

// ID1 ID2, CM=deflate, no flags, no MTIME, no XFL, OS=Unix.
constexpr char kHeader[] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, 3};
constexpr std::size_t kChunk = 64 * 1024;

struct DeflateEnd {
  void operator()(z_stream* stream) const { deflateEnd(stream); }
};

struct InflateEnd {
  void operator()(z_stream* stream) const { inflateEnd(stream); }
};

// Raw deflate (negative window bits: no zlib or gzip framing) of `data`, ended by Z_FINISH.
std::optional<std::string> RawDeflateFinished(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return std::nullopt;
  }
  const std::unique_ptr<z_stream, DeflateEnd> guard(&stream);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
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

std::uint32_t Crc(std::uint32_t crc, std::string_view data) {
  return static_cast<std::uint32_t>(
      crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

}  // namespace

void PrefixDeflater::StreamEnd::operator()(z_stream_s* stream) const {
  deflateEnd(stream);
  delete stream;
}

PrefixDeflater::PrefixDeflater() {
  auto* stream = new z_stream{};
  if (deflateInit2(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    delete stream;
    failed_ = true;
    return;
  }
  stream_.reset(stream);
  out_.member_head.assign(kHeader, sizeof kHeader);
}

// Runs deflate until it has taken all input (and, for a flush, emitted all output), growing
// the output a chunk at a time.
bool PrefixDeflater::Pump(int flush) {
  std::string& out = out_.member_head;
  do {
    const std::size_t used = out.size();
    out.resize(used + kChunk);
    stream_->next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream_->avail_out = static_cast<uInt>(kChunk);
    const int result = deflate(stream_.get(), flush);
    out.resize(used + kChunk - stream_->avail_out);
    if (result != Z_OK && result != Z_BUF_ERROR) {
      return false;
    }
  } while (stream_->avail_out == 0 || stream_->avail_in > 0);
  return true;
}

void PrefixDeflater::Append(std::string_view data) {
  if (failed_ || data.empty()) {
    return;
  }
  out_.crc = Crc(out_.crc, data);
  out_.size += data.size();
  stream_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_->avail_in = static_cast<uInt>(data.size());
  failed_ = !Pump(Z_NO_FLUSH);
}

std::optional<DeflatedPrefix> PrefixDeflater::Finish() && {
  if (failed_ || !Pump(Z_SYNC_FLUSH)) {
    return std::nullopt;
  }
  out_.member_head.shrink_to_fit();
  return std::move(out_);
}

std::optional<DeflatedPrefix> DeflatePrefix(std::string_view data) {
  PrefixDeflater deflater;
  deflater.Append(data);
  return std::move(deflater).Finish();
}

std::optional<std::string> InflatePrefix(const DeflatedPrefix& prefix) {
  if (prefix.member_head.size() < sizeof kHeader) {
    return std::nullopt;
  }
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) {
    return std::nullopt;
  }
  const std::unique_ptr<z_stream, InflateEnd> guard(&stream);
  std::string out(prefix.size, '\0');
  const std::string_view deflated = std::string_view(prefix.member_head).substr(sizeof kHeader);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data()));
  stream.avail_in = static_cast<uInt>(deflated.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_SYNC_FLUSH);
  if ((result != Z_OK && result != Z_BUF_ERROR) || stream.total_out != prefix.size ||
      Crc(0, out) != prefix.crc) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> GzipTail(const DeflatedPrefix& prefix, std::string_view tail) {
  // The tail's stream carries the final block, even when the tail is empty.
  auto out = RawDeflateFinished(tail);
  if (!out) {
    return std::nullopt;
  }
  AppendLittleEndian32(*out, static_cast<std::uint32_t>(crc32_combine(
                                 prefix.crc, Crc(0, tail), static_cast<z_off_t>(tail.size()))));
  AppendLittleEndian32(*out, static_cast<std::uint32_t>(prefix.size + tail.size()));
  return out;
}

std::optional<std::string> GzipWithPrefix(const DeflatedPrefix& prefix, std::string_view tail) {
  auto rest = GzipTail(prefix, tail);
  if (!rest) {
    return std::nullopt;
  }
  return prefix.member_head + *rest;
}

}  // namespace portwarden::exporters::prom
