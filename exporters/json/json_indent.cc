#include "exporters/json/json_indent.h"

namespace portwarden::exporters::json {
namespace {

void NewLine(std::string& out, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

// The index past the string starting at compact[i] (a '"'), copying it to `out`.
std::size_t CopyString(std::string_view compact, std::size_t i, std::string& out) {
  const std::size_t start = i++;
  while (i < compact.size() && compact[i] != '"') {
    i += compact[i] == '\\' ? 2 : 1;
  }
  i = std::min(i + 1, compact.size());
  out.append(compact.substr(start, i - start));
  return i;
}

}  // namespace

std::string IndentJson(std::string_view compact) {
  std::string out;
  out.reserve(compact.size() * 2);
  int depth = 0;
  for (std::size_t i = 0; i < compact.size();) {
    const char c = compact[i];
    if (c == '"') {
      i = CopyString(compact, i, out);
      continue;
    }
    ++i;
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      if (i < compact.size() && compact[i] == close) {
        out += c;
        out += close;
        ++i;
        continue;
      }
      out += c;
      NewLine(out, ++depth);
    } else if (c == '}' || c == ']') {
      NewLine(out, --depth);
      out += c;
    } else if (c == ',') {
      out += c;
      NewLine(out, depth);
    } else if (c == ':') {
      out += ": ";
    } else {
      out += c;
    }
  }
  out += '\n';
  return out;
}

}  // namespace portwarden::exporters::json
