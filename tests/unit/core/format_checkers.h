#pragma once

// Strict checkers for the output escapers, written from the format specifications: shared by
// the unit tests and usable by fuzz targets ("whatever the input, the output parses").
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "agent/core/utf8.h"

namespace portwarden::testing {

// Decodes one JSON string literal as RFC 8259 defines it (no raw control characters, only
// the defined escapes, valid UTF-8 in and out); nullopt if a strict parser would refuse it.
inline std::optional<std::string> DecodeJsonString(std::string_view json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"' || !utf8::IsValid(json)) {
    return std::nullopt;
  }
  json = json.substr(1, json.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    if (c < 0x20 || c == '"') {
      return std::nullopt;
    }
    if (c != '\\') {
      out += json[i];
      continue;
    }
    if (++i >= json.size()) {
      return std::nullopt;
    }
    switch (json[i]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
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
        if (i + 4 >= json.size() || json.substr(i + 1, 4).find_first_not_of(
                                        "0123456789abcdefABCDEF") != std::string_view::npos) {
          return std::nullopt;
        }
        const auto value = std::stoul(std::string(json.substr(i + 1, 4)), nullptr, 16);
        if (value >= 0xD800 && value <= 0xDFFF) {
          return std::nullopt;  // the escaper never needs surrogate pairs
        }
        utf8::Append(out, static_cast<char32_t>(value));
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

// The input with ill-formed sequences replaced (the JSON and HTML escapers keep NUL as data).
inline std::string Repaired(std::string_view raw) {
  std::string out;
  while (!raw.empty()) {
    const auto cp = utf8::Next(raw);
    out.append(cp.valid ? raw.substr(0, cp.length) : utf8::kReplacement);
    raw.remove_prefix(cp.length);
  }
  return out;
}

// Undoes the five references AppendHtmlEscaped writes; nullopt for a raw `<`, `>`, quote or
// a bare `&`, which would let text leave its element or attribute.
inline std::optional<std::string> UnescapeHtml(std::string_view html) {
  std::string out;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<' || html[i] == '>' || html[i] == '"' || html[i] == '\'') {
      return std::nullopt;
    }
    if (html[i] != '&') {
      out += html[i];
      continue;
    }
    bool matched = false;
    for (const auto& [ref, ch] :
         {std::pair{"&amp;", '&'}, std::pair{"&lt;", '<'}, std::pair{"&gt;", '>'},
          std::pair{"&quot;", '"'}, std::pair{"&#39;", '\''}}) {
      if (html.substr(i).starts_with(ref)) {
        out += ch;
        i += std::string_view(ref).size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) {
      return std::nullopt;
    }
  }
  return out;
}

// Ill-formed UTF-8 or a control character HTML does not allow in text.
inline bool HasHtmlForbidden(std::string_view text) {
  while (!text.empty()) {
    const auto cp = utf8::Next(text);
    if (!cp.valid ||
        (cp.value < 0x20 && cp.value != '\t' && cp.value != '\n' && cp.value != '\r') ||
        (cp.value >= 0x7F && cp.value <= 0x9F)) {
      return true;
    }
    text.remove_prefix(cp.length);
  }
  return false;
}

// Every code point a terminal could act on instead of showing.
inline bool HasTerminalControl(std::string_view text) {
  while (!text.empty()) {
    const auto cp = utf8::Next(text);
    if (!cp.valid || cp.value < 0x20 || (cp.value >= 0x7F && cp.value <= 0x9F) ||
        cp.value == 0x061C || cp.value == 0x200E || cp.value == 0x200F ||
        (cp.value >= 0x202A && cp.value <= 0x202E) || (cp.value >= 0x2066 && cp.value <= 0x2069)) {
      return true;
    }
    text.remove_prefix(cp.length);
  }
  return false;
}

}  // namespace portwarden::testing
