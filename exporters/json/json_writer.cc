#include "exporters/json/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "agent/core/json_escape.h"

namespace portwarden::exporters::json {

namespace {

// Keys and values up to this long (nearly all) are written with one append: a listener is
// about 30 of them, and per-character appends were most of `scan --output=json`'s CPU.
constexpr std::size_t kShort = 120;

}  // namespace

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

// A key (with its colon) or a string value in one append: separator, quotes and the text
// copied as is, when it is short and needs no escaping; else the general path.
JsonWriter& JsonWriter::Short(std::string_view text, bool key) {
  const bool comma = BeforeValue();
  if (text.size() > kShort || !IsJsonPlain(text)) {
    if (comma) {
      out_ += ',';
    }
    AppendJsonQuoted(out_, text);
    if (key) {
      out_ += ':';
    }
    return *this;
  }
  char buffer[kShort + 4];
  std::size_t n = 0;
  if (comma) {
    buffer[n++] = ',';
  }
  buffer[n++] = '"';
  std::memcpy(buffer + n, text.data(), text.size());
  n += text.size();
  buffer[n++] = '"';
  if (key) {
    buffer[n++] = ':';
  }
  out_.append(buffer, n);
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
  Short(key, true);
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  return Short(value, false);
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
