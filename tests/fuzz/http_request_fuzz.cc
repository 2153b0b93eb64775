// The HTTP/1.x request parser (and its chunked decoder) on arbitrary bytes, as a client sends
// them, pipelined requests included. Properties: the limits hold (head, header count, body
// however framed), and the outcome does not depend on how the bytes were split into reads:
// the whole input at once and the same input in pieces (sizes taken from the input's first
// byte) give the same requests and the same error status.
#include <string>
#include <vector>

#include "exporters/http/request_parser.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using portwarden::exporters::http::HttpLimits;
using portwarden::exporters::http::RequestParser;

// Small limits, so that the fuzzer reaches them.
constexpr HttpLimits kLimits{.max_head_bytes = 512, .max_headers = 8, .max_body_bytes = 256};

struct Outcome {
  std::vector<std::string> requests;  // method, target, headers, body of each complete one
  int error_status = 0;               // 0 = no error
  bool operator==(const Outcome&) const = default;
};

std::string Describe(const portwarden::exporters::http::Request& request) {
  PORTWARDEN_FUZZ_CHECK(request.body.size() <= kLimits.max_body_bytes);
  PORTWARDEN_FUZZ_CHECK(request.headers.size() <= kLimits.max_headers);
  std::string text = request.method + " " + request.target + " 1." +
                     std::to_string(request.minor_version) + (request.keep_alive ? " ka" : "");
  for (const auto& [name, value] : request.headers) {
    text += "\n" + name + ": " + value;
  }
  return text + "\n\n" + request.body;
}

// Feeds `input` in pieces of `piece` bytes (0 = all at once), the way the event loop does:
// unconsumed bytes stay buffered and are offered again with the next read.
Outcome Parse(std::string_view input, std::size_t piece) {
  Outcome outcome;
  RequestParser parser(kLimits);
  std::string buffered;
  std::size_t offered = 0;
  while (true) {
    if (offered < input.size()) {
      const std::size_t n = piece == 0 ? input.size() : piece;
      buffered.append(input.substr(offered, n));
      offered += std::min(n, input.size() - offered);
    } else if (buffered.empty()) {
      return outcome;
    }
    std::size_t consumed = 0;
    const auto state = parser.Feed(buffered, consumed);
    PORTWARDEN_FUZZ_CHECK(consumed <= buffered.size());
    buffered.erase(0, consumed);
    if (state == RequestParser::State::kError) {
      outcome.error_status = parser.error_status();
      PORTWARDEN_FUZZ_CHECK(outcome.error_status >= 400 && outcome.error_status < 600);
      return outcome;
    }
    if (state == RequestParser::State::kComplete) {
      outcome.requests.push_back(Describe(parser.request()));
      parser.Reset();
      continue;
    }
    if (offered == input.size()) {
      return outcome;  // needs more than the client sent
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::size_t piece = 1 + data[0] % 16;
  const std::string_view input = portwarden::fuzz::AsText(data + 1, size - 1);
  const Outcome whole = Parse(input, 0);
  const Outcome pieces = Parse(input, piece);
  PORTWARDEN_FUZZ_CHECK(whole == pieces);
  return 0;
}
