#pragma once

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

#include "agent/core/error.h"

/// Structured logging in the Prometheus ecosystem's shape:
///   logfmt: ts=2026-11-29T20:52:17.139Z level=info msg="Starting portwarden" version=0.1.0
///   json:   {"ts":"2026-11-29T20:52:17.139Z","level":"info","msg":"Starting portwarden",...}
/// Backed by spdlog (stderr sink). All functions are thread-safe.
namespace portwarden::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kLogfmt, kJson };

/// Accepts exactly "debug", "info", "warn", "error" (spdlog would map typos to "off").
Result<Level> ParseLevel(std::string_view name);

/// Accepts exactly "logfmt" and "json".
Result<Format> ParseFormat(std::string_view name);

/// Replaces the process-wide logger. Safe to call again (e.g. from tests).
void Setup(Level level, Format format);

/// One key=value pair. Values are rendered as text; numbers and booleans are converted.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}

  Field(std::string_view k, const std::string& v) : key(k), value(v) {}

  Field(std::string_view k, const char* v) : key(k), value(v) {}

  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}

  template <typename T>

  requires std::integral<T> || std::floating_point<T> Field(std::string_view k, T v)
      : key(k), value(std::to_string(v)) {}

  std::string_view key;
  std::string value;
};

using Fields = std::initializer_list<Field>;

/// Renders fields after the message according to the configured format. Exposed for tests.
std::string RenderPayload(Format format, std::string_view msg, Fields fields);

void Write(Level level, std::string_view msg, Fields fields = {});

inline void Debug(std::string_view msg, Fields fields = {}) {
  Write(Level::kDebug, msg, fields);
}

inline void Info(std::string_view msg, Fields fields = {}) {
  Write(Level::kInfo, msg, fields);
}

inline void Warn(std::string_view msg, Fields fields = {}) {
  Write(Level::kWarn, msg, fields);
}

inline void Error(std::string_view msg, Fields fields = {}) {
  Write(Level::kError, msg, fields);
}

}  // namespace portwarden::log
