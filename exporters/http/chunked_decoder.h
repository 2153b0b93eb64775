#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace portwarden::exporters::http {

/// Decodes a chunked request body (RFC 9112 7.1) as bytes arrive, within bounds: chunk-size
/// lines of at most 1 KiB, at most `max_body` decoded bytes (413 beyond, checked against each
/// announced chunk size before its data is read), trailer lines of at most `max_trailer`
/// bytes in all (431), which are read and dropped. Pure; used by RequestParser.
class ChunkedDecoder {
 public:
  enum class State : std::uint8_t { kNeedMore, kDone, kError };

  ChunkedDecoder(std::size_t max_body, std::size_t max_trailer)
      : max_body_(max_body), max_trailer_(max_trailer) {}

  /// Consumes bytes of `data` (sets `consumed`), appending the decoded bytes to `body`; stops
  /// after the last chunk's trailer so what follows belongs to the next request.
  State Feed(std::string_view data, std::size_t& consumed, std::string& body);

  int error_status() const { return error_status_; }

  const std::string& error_reason() const { return error_reason_; }

 private:
  enum class Phase : std::uint8_t { kSize, kData, kDataEnd, kTrailer, kDone };

  State Error(int status, std::string reason);
  State Line(std::string_view line, const std::string& body);

  std::size_t max_body_;
  std::size_t max_trailer_;
  Phase phase_ = Phase::kSize;
  std::string line_;  ///< the chunk-size or trailer line being collected
  std::size_t remaining_ = 0;
  std::size_t trailer_bytes_ = 0;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace portwarden::exporters::http
