#pragma once

#include <string>
#include <string_view>

namespace portwarden {

/// Appends `text` to `out` safe for HTML text and for a quoted attribute value: `&`, `<`,
/// `>`, `"` and `'` become character references; ill-formed UTF-8, NUL and the control
/// characters HTML forbids (C0 other than tab, LF and CR; DEL; C1) become U+FFFD. The
/// result is valid UTF-8 that cannot end an attribute or open a tag. It does not make a
/// URL safe to follow (the scheme is the caller's business). Thread-safe.
void AppendHtmlEscaped(std::string& out, std::string_view text);

/// AppendHtmlEscaped into a new string.
std::string HtmlEscaped(std::string_view text);

}  // namespace portwarden
