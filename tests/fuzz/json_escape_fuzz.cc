// The JSON (and logfmt) string escaper, round trip: whatever the bytes, the output is one
// strict JSON string (RFC 8259 grammar: quotes, escapes, no raw control characters, valid
// UTF-8), and for valid UTF-8 input its decoding gives the input back byte for byte.
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

void AppendUtf8(std::string& out, int code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// Decodes one JSON string that must span all of `json`; aborts on any grammar violation.
// The escaper writes no surrogate pairs (it escapes only controls and U+2028/U+2029).
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
        PORTWARDEN_FUZZ_CHECK(value < 0xD800 || value > 0xDFFF);
        AppendUtf8(out, value);
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
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(json));
  const std::string decoded = DecodeJsonString(json);
  PORTWARDEN_FUZZ_CHECK(portwarden::fuzz::IsValidUtf8(decoded));
  if (portwarden::fuzz::IsValidUtf8(input)) {
    PORTWARDEN_FUZZ_CHECK(decoded == input);
  }
  return 0;
}
