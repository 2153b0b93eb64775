#include "exporters/http/chunked_decoder.h"

#include <algorithm>
#include <charconv>

#include "agent/core/ascii.h"

namespace portwarden::exporters::http {
namespace {

constexpr std::size_t kMaxChunkLine = 1024;

}  // namespace

ChunkedDecoder::State ChunkedDecoder::Error(int status, std::string reason) {
  error_status_ = status;
  error_reason_ = std::move(reason);
  return State::kError;
}

ChunkedDecoder::State ChunkedDecoder::Feed(std::string_view data,
                                           std::size_t& consumed,
                                           std::string& body) {
  consumed = 0;
  if (error_status_ != 0) {
    return State::kError;
  }
  while (consumed < data.size() && phase_ != Phase::kDone) {
    if (phase_ == Phase::kData) {
      const std::size_t take = std::min(remaining_, data.size() - consumed);
      body.append(data.substr(consumed, take));
      consumed += take;
      remaining_ -= take;
      if (remaining_ == 0) {
        phase_ = Phase::kDataEnd;
      }
      continue;
    }
    const char c = data[consumed++];
    if (c != '\n') {
      line_.push_back(c);
      if (line_.size() > kMaxChunkLine) {
        return Error(400, "chunk line too long");
      }
      continue;
    }
    std::string_view line(line_);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    const State state = Line(line, body);
    line_.clear();
    if (state == State::kError) {
      return state;
    }
  }
  return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
}

// One complete line: a chunk size, the end of a chunk's data, or a trailer line.
ChunkedDecoder::State ChunkedDecoder::Line(std::string_view line, const std::string& body) {
  if (phase_ == Phase::kDataEnd) {
    phase_ = Phase::kSize;
    return line.empty() ? State::kNeedMore : Error(400, "chunk data longer than its size");
  }
  if (phase_ == Phase::kTrailer) {
    trailer_bytes_ += line.size() + 2;
    if (trailer_bytes_ > max_trailer_) {
      return Error(431, "chunked trailer too large");
    }
    if (line.empty()) {
      phase_ = Phase::kDone;
    }
    return State::kNeedMore;
  }
  const std::string_view digits = TrimBlanks(line.substr(0, line.find(';')));  // drop extensions
  std::size_t size = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (ec == std::errc::result_out_of_range) {
    return Error(413, "request body too large");
  }
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return Error(400, "malformed chunk size");
  }
  if (size > max_body_ - body.size()) {
    return Error(413, "request body too large");
  }
  remaining_ = size;
  phase_ = size == 0 ? Phase::kTrailer : Phase::kData;
  return State::kNeedMore;
}

}  // namespace portwarden::exporters::http
