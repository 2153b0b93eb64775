#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace portwarden::exporters::json {

/// A small streaming JSON writer: commas and nesting are tracked for the caller.
/// Output is compact (one line). Not thread-safe.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);  ///< NaN and infinities are written as null.
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  /// Key + value in one call.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }

  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }

  JsonWriter& Field(std::string_view key, const std::string& value) {
    return Key(key).String(value);
  }

  JsonWriter& Field(std::string_view key, double value) { return Key(key).Number(value); }

  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }

  JsonWriter& Field(std::string_view key, std::int64_t value) { return Key(key).Int(value); }

  JsonWriter& Field(std::string_view key, std::uint64_t value) {
    return Key(key).Int(static_cast<std::int64_t>(value));
  }

  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  /// Reserves room for `bytes` more output (large documents grow without reallocating).
  void Reserve(std::size_t bytes) { out_.reserve(out_.size() + bytes); }

  /// Writes the output so far to `file` and empties the buffer, keeping its capacity and the
  /// nesting state: a large document streams through a small buffer.
  void FlushTo(std::FILE* file);

  std::size_t size() const { return out_.size(); }

  const std::string& str() const { return out_; }

 private:
  bool BeforeValue();
  JsonWriter& Quoted(std::string_view text, bool key);

  std::string out_;
  std::vector<char>
      first_in_scope_;  // one entry per open object/array (not vector<bool>: bit ops per value)
  bool after_key_ = false;
};

}  // namespace portwarden::exporters::json
