#include "exporters/http/landing_page.h"

#include "agent/core/html_escape.h"
#include "agent/core/version_info.h"

namespace portwarden::exporters::http {

std::string LandingPage(const std::string& telemetry_path) {
  std::string page = R"(<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>portwarden</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;color:#222}
code{background:#f3f3f3;padding:0 .2em}</style></head>
<body>
<h1>portwarden</h1>
<h2>Listening ports and HTTPS endpoints, for Prometheus</h2>
<p>Version: )";
  page += build::kVersion;
  page += " (revision ";
  page += build::kRevision;
  page += R"()</p>
<ul>
<li><a href=")";
  AppendHtmlEscaped(page, telemetry_path);
  page += R"(">Metrics</a></li>
<li><a href="/api/state">Current state (JSON)</a></li>
<li><a href="/-/healthy">Health</a></li>
<li><a href="/-/ready">Readiness</a></li>
</ul>
<p>Reload the configuration with <code>POST /-/reload</code> or <code>SIGHUP</code>.</p>
</body>
</html>
)";
  return page;
}

}  // namespace portwarden::exporters::http
