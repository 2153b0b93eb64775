#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portwarden::exporters::http {

/// Whether an Accept-Encoding value accepts gzip (a "gzip" token whose q is not 0).
bool AcceptsGzip(std::string_view accept_encoding);

/// `data` compressed in gzip format (zlib, default level); nullopt if zlib fails.
std::optional<std::string> Gzip(std::string_view data);

}  // namespace portwarden::exporters::http
