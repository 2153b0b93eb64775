#pragma once

#include <string>
#include <string_view>

namespace portwarden::exporters::json {

/// `compact` (one JSON document as JsonWriter writes it: no whitespace outside strings)
/// indented by two spaces per level, one member or element per line, for `/api/state?pretty`
/// and a person reading it. Strings are copied byte for byte (escapes stay escapes); empty
/// objects and arrays stay `{}` / `[]`. Pure; linear in the input.
std::string IndentJson(std::string_view compact);

}  // namespace portwarden::exporters::json
