// The JSON (and logfmt) string escaper, round trip: whatever the bytes, the output is one
// JSON string (RFC 8259 grammar: quotes, escapes, no raw control characters) whose decoding
// gives the input back byte for byte. (Bytes >= 0x80 are passed through; making them valid
// UTF-8 is the job of the sanitiser where strings enter the agent.)
#include <string>

#include "agent/core/json_escape.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes one JSON string that must span all of `json`; aborts on any grammar violation.
// \u escapes above 0xff are not produced by the escaper and so are not expected here.
std::string DecodeJsonString(std::string_view json) {
  PORTWARDEN_FUZZ_CHECK(json.size() >= 2 && json.front() == '"' && json.back() == '"');
  std::string out;
  for (std::size_t i = 1; i + 1 < json.size(); ++i) {
    const char c = json[i];
    PORTWARDEN_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != '"');
    if (c != '\\') {
      out += c;
      continue;
    }
    PORTWARDEN_FUZZ_CHECK(i + 2 < json.size());
    const char e = json[++i];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        PORTWARDEN_FUZZ_CHECK(i + 5 < json.size());
        int value = 0;
        for (int k = 1; k <= 4; ++k) {
          const int digit = HexDigit(json[i + k]);
          PORTWARDEN_FUZZ_CHECK(digit >= 0);
          value = value * 16 + digit;
        }
        PORTWARDEN_FUZZ_CHECK(value < 0x80);
        out += static_cast<char>(value);
        i += 4;
        break;
      }
      default:
        PORTWARDEN_FUZZ_CHECK(false && "unknown escape");
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = portwarden::fuzz::AsText(data, size);
  std::string out = "prefix";
  portwarden::AppendJsonQuoted(out, input);
  PORTWARDEN_FUZZ_CHECK(out.starts_with("prefix"));
  const std::string_view json = std::string_view(out).substr(6);
  PORTWARDEN_FUZZ_CHECK(DecodeJsonString(json) == input);
  if (portwarden::fuzz::IsValidUtf8(input)) {
    PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(json));
  }
  return 0;
}
