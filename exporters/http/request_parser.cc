#include "exporters/http/request_parser.h"

#include <algorithm>
#include <charconv>

#include "agent/core/ascii.h"

namespace portwarden::exporters::http {
namespace {

constexpr std::size_t kMaxMethod = 16;

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsCtl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Whether a comma-separated header value lists `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  const std::string lower = AsciiLower(value);
  std::string_view rest = lower;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    if (TrimBlanks(rest.substr(0, comma)) == token) {
      return true;
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return false;
}

}  // namespace

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) {
      return value;
    }
  }
  return {};
}

void RequestParser::Reset() {
  phase_ = Phase::kHead;
  head_.clear();
  skipped_ = 0;
  lines_ = 0;
  chunked_.reset();
  remaining_ = 0;
  request_ = Request{};
  error_status_ = 0;
  error_reason_.clear();
}

RequestParser::State RequestParser::Error(int status, std::string reason) {
  error_status_ = status;
  error_reason_ = std::move(reason);
  return State::kError;
}

RequestParser::State RequestParser::Feed(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  if (error_status_ != 0) {
    return State::kError;
  }
  if (phase_ == Phase::kHead) {
    const State state = FeedHead(data, consumed);
    if (state != State::kComplete) {
      return state;
    }
    if (phase_ == Phase::kDone) {
      return State::kComplete;
    }
  }
  std::size_t used = 0;
  const State state = FeedBody(data.substr(consumed), used);
  consumed += used;
  return state;
}

// Collects the head up to its blank line, checking limits and the request line as bytes come.
RequestParser::State RequestParser::FeedHead(std::string_view data, std::size_t& consumed) {
  for (; consumed < data.size(); ++consumed) {
    const char c = data[consumed];
    if (head_.empty() && (c == '\r' || c == '\n')) {
      // empty lines before a request line are ignored (RFC 9112 2.2), but not without end
      if (++skipped_ > limits_.max_head_bytes) {
        return Error(400, "empty lines instead of a request line");
      }
      continue;
    }
    head_.push_back(c);
    if (head_.size() > limits_.max_head_bytes) {
      return Error(431,
                   "request head larger than " + std::to_string(limits_.max_head_bytes) + " bytes");
    }
    if (lines_ == 0 && c != '\n') {
      if (State s = CheckPartialRequestLine(); s == State::kError) {
        return s;
      }
      continue;
    }
    if (c != '\n') {
      continue;
    }
    ++lines_;
    if (lines_ > limits_.max_headers + 1) {
      return Error(431, "more than " + std::to_string(limits_.max_headers) + " header lines");
    }
    const std::string_view head(head_);
    if (lines_ > 1 && (head.ends_with("\n\n") || head.ends_with("\n\r\n"))) {
      ++consumed;
      return ParseHead();
    }
  }
  return State::kNeedMore;
}

// The request line so far must look like "TOKEN SP": fail garbage at its first byte.
RequestParser::State RequestParser::CheckPartialRequestLine() {
  const char c = head_.back();
  if (head_.size() <= kMaxMethod + 1) {  // still within reach of the method
    const std::size_t space = head_.find(' ');
    if (space == 0) {
      return Error(400, "malformed request line");
    }
    if (space == std::string::npos) {
      return IsTchar(c) && head_.size() <= kMaxMethod ? State::kNeedMore
                                                      : Error(400, "malformed request line");
    }
  }
  if (c != '\r' && IsCtl(c)) {
    return Error(400, "malformed request line");
  }
  return State::kNeedMore;
}

RequestParser::State RequestParser::ParseHead() {
  std::string_view rest(head_);
  bool first = true;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (line.ends_with('\r')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      break;
    }
    const State state = first ? ParseRequestLine(line) : ParseHeaderLine(line);
    if (state == State::kError) {
      return state;
    }
    first = false;
  }
  return ChooseFraming();
}

RequestParser::State RequestParser::ParseRequestLine(std::string_view line) {
  const auto first = line.find(' ');
  const auto second = line.find(' ', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      line.find(' ', second + 1) != std::string_view::npos) {
    return Error(400, "malformed request line");
  }
  request_.method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  const std::string_view version = line.substr(second + 1);
  // absolute form ("http://host/path") must be accepted by servers (RFC 9112 3.2.2)
  if (target.starts_with("http://") || target.starts_with("https://")) {
    const auto slash = target.find('/', target.find("//") + 2);
    target = slash == std::string_view::npos ? "/" : target.substr(slash);
  }
  if (!target.starts_with('/')) {
    return Error(400, "request target must start with \"/\"");
  }
  if (version == "HTTP/1.1") {
    request_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version = 0;
  } else if (version.size() == 8 && version.starts_with("HTTP/") && version[6] == '.') {
    return Error(505, "HTTP version not supported");
  } else {
    return Error(400, "malformed HTTP version");
  }
  request_.target = target;
  request_.path = target.substr(0, target.find('?'));
  return State::kNeedMore;
}

RequestParser::State RequestParser::ParseHeaderLine(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Error(400, "obsolete header line folding");
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error(400, "malformed header line");
  }
  const std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), IsTchar)) {
    return Error(400, "malformed header name");
  }
  const std::string_view value = TrimBlanks(line.substr(colon + 1));
  if (std::any_of(value.begin(), value.end(), [](char c) { return c != '\t' && IsCtl(c); })) {
    return Error(400, "control character in header value");
  }
  request_.headers.emplace_back(AsciiLower(name), value);
  return State::kNeedMore;
}

// Picks how the body is framed (RFC 9112 6.3); both framings at once is a smuggling attempt.
RequestParser::State RequestParser::ChooseFraming() {
  const std::string_view connection = request_.Header("connection");
  request_.keep_alive = request_.minor_version == 1 ? !HasToken(connection, "close")
                                                    : HasToken(connection, "keep-alive");
  bool has_length = false;
  std::size_t length = 0;
  bool chunked = false;
  for (const auto& [name, value] : request_.headers) {
    if (name == "transfer-encoding") {
      if (AsciiLower(value) != "chunked" || chunked) {
        return Error(501, "unsupported transfer coding");
      }
      chunked = true;
    } else if (name == "content-length") {
      std::size_t parsed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (ec == std::errc::result_out_of_range) {
        return Error(413, "request body too large");
      }
      if (ec != std::errc() || end != value.data() + value.size() ||
          (has_length && parsed != length)) {
        return Error(400, "invalid Content-Length");
      }
      has_length = true;
      length = parsed;
    }
  }
  if (chunked && has_length) {
    return Error(400, "both Content-Length and Transfer-Encoding");
  }
  if (has_length && length > limits_.max_body_bytes) {
    return Error(413, "request body too large");
  }
  head_.clear();
  head_.shrink_to_fit();
  if (chunked) {
    chunked_.emplace(limits_.max_body_bytes, limits_.max_head_bytes);
    phase_ = Phase::kChunked;
    return State::kComplete;
  }
  remaining_ = length;
  phase_ = length == 0 ? Phase::kDone : Phase::kBody;
  return State::kComplete;
}

RequestParser::State RequestParser::FeedBody(std::string_view data, std::size_t& consumed) {
  if (phase_ == Phase::kBody) {
    const std::size_t take = std::min(remaining_, data.size());
    request_.body.append(data.substr(0, take));
    consumed = take;
    remaining_ -= take;
    if (remaining_ == 0) {
      phase_ = Phase::kDone;
    }
  } else if (phase_ == Phase::kChunked) {
    switch (chunked_->Feed(data, consumed, request_.body)) {
      case ChunkedDecoder::State::kDone:
        phase_ = Phase::kDone;
        break;
      case ChunkedDecoder::State::kError:
        return Error(chunked_->error_status(), chunked_->error_reason());
      case ChunkedDecoder::State::kNeedMore:
        break;
    }
  }
  return phase_ == Phase::kDone ? State::kComplete : State::kNeedMore;
}

}  // namespace portwarden::exporters::http
