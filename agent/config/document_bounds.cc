// Why a pre-scan: toml++ parses tables, arrays, inline tables and dotted keys recursively, and
// a document nested tens of thousands of levels deep (80 KB of "a.a.a…" is enough) exhausts
// the stack inside it: a segfault, not an error. So before parsing, one linear pass that
// knows just enough TOML (strings, comments, brackets, dots, statement starts) measures the
// nesting and refuses the file. It errs on the side of counting too much: every dot outside
// a string counts while a key or value is read, and the depth of the last [table] header
// carries over to the keys below it. Where the text is not valid TOML the count may be off,
// but toml++ stops at the first error, so nothing after it is ever parsed.
#include "agent/config/document_bounds.h"

#include <algorithm>
#include <string>

namespace portwarden::config {
namespace {

class NestingScanner {
 public:
  explicit NestingScanner(std::string_view text) : text_(text) {}

  // Returns the offset at which the nesting first exceeds `limit`, or npos.
  std::size_t FindTooDeep(int limit) {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"' || c == '\'') {
        SkipString(c);
        line_start_ = false;
        continue;
      }
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          ++pos_;
        }
        continue;
      }
      Step(c);
      if (header_ + brackets_ + dots_ > limit) {
        return pos_;
      }
      ++pos_;
    }
    return std::string_view::npos;
  }

 private:
  void Step(char c) {
    switch (c) {
      case '[':
      case '{':
        if (line_start_ && brackets_ == 0 && c == '[') {
          in_header_ = true;  // "[table]" or "[[array]]": its depth replaces the last one's.
          header_ = 0;
          in_header_depth_ = 0;
        }
        ++brackets_;
        break;
      case ']':
      case '}':
        if (brackets_ > 0) {
          --brackets_;
        }
        if (in_header_ && brackets_ == 0) {
          in_header_ = false;
          header_ = in_header_depth_;
          dots_ = 0;
        }
        break;
      case '.':
        ++dots_;
        break;
      case '=':
      case ',':
      case '\n':
        dots_ = 0;
        break;
      default:
        break;
    }
    if (in_header_) {
      in_header_depth_ = std::max(in_header_depth_, brackets_ + dots_);
    }
    line_start_ = c == '\n' || (line_start_ && (c == ' ' || c == '\t' || c == '\r'));
  }

  // Skips a basic ("…", """…""") or literal ('…', '''…''') string starting at pos_.
  void SkipString(char quote) {
    const std::string_view triple = quote == '"' ? "\"\"\"" : "'''";
    const bool multi_line = text_.substr(pos_, 3) == triple;
    pos_ += multi_line ? 3 : 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && quote == '"') {
        pos_ += 2;
        continue;
      }
      if (!multi_line && (c == quote || c == '\n')) {
        ++pos_;
        return;
      }
      if (multi_line && text_.substr(pos_, 3) == triple) {
        pos_ += 3;
        // Up to two more quotes right after the closing three belong to the string.
        for (int extra = 0; extra < 2 && pos_ < text_.size() && text_[pos_] == quote; ++extra) {
          ++pos_;
        }
        return;
      }
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int brackets_ = 0;         // open [ and { around pos_
  int dots_ = 0;             // dots of the key (or value) being read
  int header_ = 0;           // depth of the last [table] header
  int in_header_depth_ = 0;  // depth reached so far by the header being read
  bool in_header_ = false;
  bool line_start_ = true;  // only blanks since the last newline
};

std::string Position(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

Status CheckDocumentBounds(std::string_view text, const std::string& name) {
  if (text.size() > kMaxConfigBytes) {
    return Fail(name + ": " + std::to_string(text.size()) +
                " bytes is more than a config file may have (" +
                std::to_string(kMaxConfigBytes / (1024 * 1024)) + " MiB)");
  }
  const std::size_t too_deep = NestingScanner(text).FindTooDeep(kMaxConfigNesting);
  if (too_deep != std::string_view::npos) {
    return Fail(name + ":" + Position(text, too_deep) + ": nested more than " +
                std::to_string(kMaxConfigNesting) +
                " levels deep (tables, arrays, inline tables and dotted keys counted together)");
  }
  return {};
}

}  // namespace portwarden::config
