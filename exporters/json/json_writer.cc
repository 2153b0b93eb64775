#include "exporters/json/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent/core/json_escape.h"

namespace portwarden::exporters::json {

// Whether the next value needs a comma before it (writing it is the caller's part).
bool JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return false;
  }
  if (first_in_scope_.empty()) {
    return false;
  }
  const bool comma = first_in_scope_.back() == 0;
  first_in_scope_.back() = 0;
  return comma;
}

// A key (with its colon) or a string value: separator, quotes and the text copied as is in
// one step when it needs no escaping (nearly always); else the general path. A listener is
// about 30 of these, and per-character appends were most of `scan --output=json`'s CPU.
JsonWriter& JsonWriter::Quoted(std::string_view text, bool key) {
  const bool comma = BeforeValue();
  if (!IsJsonPlain(text)) {
    if (comma) {
      out_ += ',';
    }
    AppendJsonQuoted(out_, text);
    if (key) {
      out_ += ':';
    }
    return *this;
  }
  // Written in place after one resize (a stack buffer made g++ inline the copy as
  // `rep movsq`, slow for a few bytes).
  const std::size_t at = out_.size();
  out_.resize(at + text.size() + 2 + (comma ? 1 : 0) + (key ? 1 : 0));
  char* p = out_.data() + at;
  if (comma) {
    *p++ = ',';
  }
  *p++ = '"';
  std::memcpy(p, text.data(), text.size());
  p += text.size();
  *p++ = '"';
  if (key) {
    *p = ':';
  }
  return *this;
}

JsonWriter& JsonWriter::BeginObject() {
  out_ += BeforeValue() ? ",{" : "{";
  first_in_scope_.push_back(1);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  first_in_scope_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  out_ += BeforeValue() ? ",[" : "[";
  first_in_scope_.push_back(1);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  first_in_scope_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Quoted(key, true);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  return Quoted(value, false);
}

JsonWriter& JsonWriter::Number(double value) {
  if (BeforeValue()) {
    out_ += ',';
  }
  if (!std::isfinite(value)) {
    out_ += "null";
    return *this;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  // Shorter form when it round-trips (e.g. 0.1 instead of 0.10000000000000001).
  char shorter[32];
  std::snprintf(shorter, sizeof shorter, "%.15g", value);
  out_ += std::strtod(shorter, nullptr) == value ? shorter : buffer;
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) {
  char buffer[24];
  char* start = buffer;
  if (BeforeValue()) {
    *start++ = ',';
  }
  const auto end = std::to_chars(start, buffer + sizeof buffer, value).ptr;
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  const bool comma = BeforeValue();
  out_ += value ? (comma ? ",true" : "true") : (comma ? ",false" : "false");
  return *this;
}

void JsonWriter::FlushTo(std::FILE* file) {
  std::fwrite(out_.data(), 1, out_.size(), file);
  out_.clear();
}

JsonWriter& JsonWriter::Null() {
  out_ += BeforeValue() ? ",null" : "null";
  return *this;
}

}  // namespace portwarden::exporters::json
