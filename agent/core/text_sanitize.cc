#include "agent/core/text_sanitize.h"

#include <algorithm>

#include "agent/core/utf8.h"

namespace portwarden::text {
namespace {

// Plain ASCII without NUL that fits: the common case, copied as is.
bool NeedsNoWork(std::string_view raw, std::size_t max_bytes) {
  return raw.size() <= max_bytes && std::all_of(raw.begin(), raw.end(), [](char c) {
           const auto byte = static_cast<unsigned char>(c);
           return byte != 0 && byte < 0x80;
         });
}

// Drops whole code points from the end of valid UTF-8 until `mark` fits within `max_bytes`,
// then appends it.
void TruncateWithMark(std::string& out, std::size_t max_bytes) {
  if (max_bytes < kTruncationMark.size()) {
    return;  // no room for the mark: what fits is already on a code point boundary
  }
  while (out.size() + kTruncationMark.size() > max_bytes) {
    while ((static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
      out.pop_back();
    }
    out.pop_back();  // the lead byte
  }
  out += kTruncationMark;
}

}  // namespace

std::size_t MaxBytes(Kind kind) {
  switch (kind) {
    case Kind::kProcessName:
    case Kind::kInterfaceName:
      return 64;
    case Kind::kExePath:
    case Kind::kCertNameList:
    case Kind::kHttpHeader:
      return 1024;
    case Kind::kUnit:
    case Kind::kNetnsName:
    case Kind::kCertName:
      return 256;
    case Kind::kErrorText:
      return 512;
    case Kind::kErrorMessage:
      return 2048;
    case Kind::kConfigExcerpt:
      return 80;
  }
  return 256;
}

std::string SanitizeUtf8(std::string_view raw, std::size_t max_bytes) {
  if (NeedsNoWork(raw, max_bytes)) {
    return std::string(raw);
  }
  std::string out;
  out.reserve(std::min(raw.size(), max_bytes) + kTruncationMark.size());
  while (!raw.empty()) {
    const utf8::CodePoint cp = utf8::Next(raw);
    const bool keep = cp.valid && cp.value != 0;
    const std::size_t size = keep ? cp.length : utf8::kReplacement.size();
    if (out.size() + size > max_bytes) {
      TruncateWithMark(out, max_bytes);
      return out;
    }
    out.append(keep ? raw.substr(0, cp.length) : utf8::kReplacement);
    raw.remove_prefix(cp.length);
  }
  return out;
}

std::string Sanitize(std::string_view raw, Kind kind) {
  return SanitizeUtf8(raw, MaxBytes(kind));
}

}  // namespace portwarden::text
