#pragma once

#include <string>

namespace portwarden::exporters::http {

/// The HTML page served at "/": name, version, and links to every endpoint.
std::string LandingPage(const std::string& telemetry_path);

}  // namespace portwarden::exporters::http
