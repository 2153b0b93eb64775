#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "exporters/http/chunked_decoder.h"
#include "exporters/http/http_message.h"

namespace portwarden::exporters::http {

/// An incremental HTTP/1.0 and 1.1 request parser with hard limits: the head is bounded in
/// bytes and lines, the body by HttpLimits::max_body_bytes whether it is framed by
/// Content-Length or chunked. A request without either has no body (a bare `POST`). Garbage
/// is rejected as soon as it can be told apart from a request: a request line that does not
/// begin with a method token fails on its first bad byte, not when a line end arrives, and
/// the HTTP/2 preface fails at its request line. Pure: no I/O, fuzzable.
class RequestParser {
 public:
  enum class State { kNeedMore, kComplete, kError };

  explicit RequestParser(HttpLimits limits = {}) : limits_(limits) {}

  /// Consumes bytes of `data` and sets `consumed` to how many were used; after kComplete the
  /// rest belongs to the next request (pipelining). After kError, error_status() says why.
  State Feed(std::string_view data, std::size_t& consumed);

  /// True once some byte of a request has arrived (idle keep-alive vs. a request in progress).
  bool started() const { return !head_.empty() || phase_ != Phase::kHead; }

  int error_status() const { return error_status_; }

  const std::string& error_reason() const { return error_reason_; }

  Request& request() { return request_; }

  /// Ready for the next request on the same connection.
  void Reset();

 private:
  enum class Phase { kHead, kBody, kChunked, kDone };

  State Error(int status, std::string reason);
  State FeedHead(std::string_view data, std::size_t& consumed);
  State CheckPartialRequestLine();
  State ParseHead();
  State ParseRequestLine(std::string_view line);
  State ParseHeaderLine(std::string_view line);
  State ChooseFraming();
  State FeedBody(std::string_view data, std::size_t& consumed);

  HttpLimits limits_;
  Phase phase_ = Phase::kHead;
  std::string head_;
  std::size_t skipped_ = 0;  ///< empty lines' bytes before the request line
  std::size_t lines_ = 0;
  std::optional<ChunkedDecoder> chunked_;  ///< while a chunked body is read
  std::size_t remaining_ = 0;              ///< Content-Length bytes still to read
  Request request_;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace portwarden::exporters::http
