#include "exporters/http/http_message.h"

namespace portwarden::exporters::http {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

Response ErrorResponse(int status, bool close) {
  Response response;
  response.status = status;
  response.body = std::to_string(status) + " " + std::string(ReasonPhrase(status)) + "\n";
  response.close = close;
  return response;
}

std::size_t Outgoing::size() const {
  std::size_t total = 0;
  for (const auto& segment : segments) {
    total += segment->size();
  }
  return total;
}

std::string Outgoing::Joined() const {
  std::string out;
  out.reserve(size());
  for (const auto& segment : segments) {
    out += *segment;
  }
  return out;
}

Outgoing SerializeParts(const Response& response, bool keep_alive, bool head_only) {
  const std::size_t shared_size = response.shared_body ? response.shared_body->size() : 0;
  // A small owned body travels in the head's buffer; a shared one never is copied.
  const bool body_in_head = !head_only && response.body.size() <= 64 * 1024;
  std::string out;
  out.reserve(256 + (body_in_head && !response.shared_body ? response.body.size() : 0));
  out += "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += ReasonPhrase(response.status);
  out += "\r\nContent-Type: " + response.content_type;
  out += "\r\nContent-Length: " + std::to_string(shared_size + response.body.size());
  for (const auto& [name, value] : response.headers) {
    out += "\r\n" + name + ": " + value;
  }
  out += keep_alive && !response.close ? "\r\nConnection: keep-alive" : "\r\nConnection: close";
  out += "\r\n\r\n";
  Outgoing parts;
  if (head_only) {
    parts.segments.push_back(std::make_shared<const std::string>(std::move(out)));
    return parts;
  }
  if (!response.shared_body && body_in_head) {
    out += response.body;
    parts.segments.push_back(std::make_shared<const std::string>(std::move(out)));
    return parts;
  }
  parts.segments.push_back(std::make_shared<const std::string>(std::move(out)));
  if (response.shared_body && !response.shared_body->empty()) {
    parts.segments.push_back(response.shared_body);
  }
  if (!response.body.empty()) {
    parts.segments.push_back(std::make_shared<const std::string>(response.body));
  }
  return parts;
}

std::string Serialize(const Response& response, bool keep_alive, bool head_only) {
  return SerializeParts(response, keep_alive, head_only).Joined();
}

}  // namespace portwarden::exporters::http
