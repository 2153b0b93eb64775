#include "agent/core/log.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "agent/core/json_escape.h"
#include "agent/core/text_sanitize.h"

namespace portwarden::log {
namespace {

// A field value longer than this is cut (with a mark): one line stays one readable line.
constexpr std::size_t kMaxValueBytes = 4096;

std::atomic<Format> g_format{Format::kLogfmt};
std::mutex g_setup_mutex;

// %? in the pattern: the Prometheus level names (spdlog says "warning"/"error").
class LevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = "info";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        name = "debug";
        break;
      case spdlog::level::warn:
        name = "warn";
        break;
      case spdlog::level::err:
      case spdlog::level::critical:
        name = "error";
        break;
      default:
        break;
    }
    dest.append(name.data(), name.data() + name.size());
  }

  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

// Bare values are printable ASCII without the characters logfmt gives a meaning; anything
// else is quoted, and quoting escapes control characters and repairs ill-formed UTF-8.
bool NeedsQuoting(std::string_view value) {
  if (value.empty()) {
    return true;
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || byte < 0x21 || byte >= 0x7F) {
      return true;
    }
  }
  return false;
}

// JSON string or logfmt value: no newline, quote or ill-formed byte can end the field or the
// line early, and no value makes a line longer than about kMaxValueBytes.
void AppendValue(std::string& out, std::string_view value, bool logfmt) {
  std::string bounded;
  if (value.size() > kMaxValueBytes) {
    bounded = text::SanitizeUtf8(value, kMaxValueBytes);
    value = bounded;
  }
  if (logfmt && !NeedsQuoting(value)) {
    out += value;
  } else {
    AppendJsonQuoted(out, value);  // logfmt quoting uses the same escapes
  }
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  if (name == "debug") {
    return Level::kDebug;
  }
  if (name == "info") {
    return Level::kInfo;
  }
  if (name == "warn") {
    return Level::kWarn;
  }
  if (name == "error") {
    return Level::kError;
  }
  return Fail("invalid log level \"" + text::Sanitize(name, text::Kind::kConfigExcerpt) +
              "\": must be one of debug, info, warn, error");
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "logfmt") {
    return Format::kLogfmt;
  }
  if (name == "json") {
    return Format::kJson;
  }
  return Fail("invalid log format \"" + text::Sanitize(name, text::Kind::kConfigExcerpt) +
              "\": must be one of logfmt, json");
}

std::string RenderPayload(Format format, std::string_view msg, Fields fields) {
  std::string out;
  if (format == Format::kJson) {
    out += "\"msg\":";
    AppendValue(out, msg, false);
    for (const Field& field : fields) {
      out += ',';
      AppendJsonQuoted(out, field.key);
      out += ':';
      AppendValue(out, field.value, false);
    }
    return out;
  }
  out += "msg=";
  AppendValue(out, msg, false);  // always quoted, as in the Prometheus ecosystem
  for (const Field& field : fields) {
    out += ' ';
    out += field.key;  // keys are identifiers written in the code, never outside text
    out += '=';
    AppendValue(out, field.value, true);
  }
  return out;
}

void Setup(Level level, Format format) {
  const std::lock_guard lock(g_setup_mutex);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("portwarden", std::move(sink));
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('?');
  formatter->set_pattern(format == Format::kJson
                             ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%?",%v})"
                             : "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%? %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(ToSpdlog(level));
  logger->flush_on(spdlog::level::trace);
  g_format.store(format);
  spdlog::set_default_logger(std::move(logger));
}

void Write(Level level, std::string_view msg, Fields fields) {
  const auto spd_level = ToSpdlog(level);
  if (!spdlog::default_logger_raw()->should_log(spd_level)) {
    return;
  }
  spdlog::default_logger_raw()->log(spd_level, RenderPayload(g_format.load(), msg, fields));
}

}  // namespace portwarden::log
