#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portwarden::exporters::http {

/// What the front accepts from one client; anything beyond is answered with an error status
/// and the connection closed, before a worker ever sees it.
struct HttpLimits {
  std::size_t max_head_bytes = 16 * 1024;  ///< request line + header lines (431 beyond)
  std::size_t max_headers = 100;           ///< header lines (431 beyond)
  std::size_t max_body_bytes = 64 * 1024;  ///< decoded body, however framed (413 beyond)
};

/// One parsed HTTP/1.x request. Header names are lower-cased.
struct Request {
  std::string method;
  std::string target;  ///< as sent (origin form), e.g. "/metrics?x=1"
  std::string path;    ///< target without the query
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;

  /// The first header called `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
};

/// A response as the router produces it; Serialize adds the framing headers.
struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  /// Sent before `body`, referenced rather than copied: a large body shared by concurrent
  /// responses (the cached exposition). Null for most responses.
  std::shared_ptr<const std::string> shared_body;
  std::string body;
  bool close = false;  ///< close the connection after this response
};

/// A response as it goes on the wire: segments sent in order. A shared segment (the cached
/// exposition) is referenced by every connection sending it, not copied into each.
struct Outgoing {
  std::vector<std::shared_ptr<const std::string>> segments;

  std::size_t size() const;
  /// The segments joined (tests, and the one-shot writes of error answers).
  std::string Joined() const;
};

/// The standard reason phrase of a status code ("Not Found").
std::string_view ReasonPhrase(int status);

/// A short plain-text response "<status> <reason>\n".
Response ErrorResponse(int status, bool close = false);

/// Status line, headers (Content-Length, Connection, Date-less), and body (omitted for HEAD):
/// the head, then the shared body (referenced), then the response's own body.
Outgoing SerializeParts(const Response& response, bool keep_alive, bool head_only);

/// The same, as one string.
std::string Serialize(const Response& response, bool keep_alive, bool head_only);

}  // namespace portwarden::exporters::http
