#include "agent/inventory/proc_net_parser.h"

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

namespace portwarden::inventory {
namespace {

constexpr std::string_view kTcpListen = "0A";
constexpr std::string_view kUdpUnconnected = "07";

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < line.size()) {
    const auto start = line.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) {
      break;
    }
    const auto end = std::min(line.find(' ', start), line.size());
    fields.push_back(line.substr(start, end - start));
    pos = end;
  }
  return fields;
}

template <typename T>
bool ParseNumber(std::string_view text, T& value, int base) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// "0100007F:0CEA": the address is printed as host-order 32-bit words in hex.
bool ParseEndpoint(std::string_view text, AddressFamily family, RawSocket& socket) {
  const std::size_t words = family == AddressFamily::kIpv4 ? 1 : 4;
  const auto colon = text.find(':');
  if (colon != words * 8 || !ParseNumber(text.substr(colon + 1), socket.port, 16)) {
    return false;
  }
  for (std::size_t i = 0; i < words; ++i) {
    std::uint32_t word = 0;
    if (!ParseNumber(text.substr(i * 8, 8), word, 16)) {
      return false;
    }
    std::memcpy(socket.address.data() + i * 4, &word, 4);
  }
  return true;
}

bool ParseRow(std::string_view line,
              Protocol protocol,
              AddressFamily family,
              RawSocket& socket,
              bool& wanted) {
  const auto fields = SplitFields(line);
  if (fields.size() < 10) {
    return false;
  }
  wanted = fields[3] == (protocol == Protocol::kTcp ? kTcpListen : kUdpUnconnected);
  socket.protocol = protocol;
  socket.family = family;
  return ParseEndpoint(fields[1], family, socket) && ParseNumber(fields[7], socket.uid, 10) &&
         ParseNumber(fields[9], socket.inode, 10);
}

}  // namespace

std::optional<long> SockstatInUse(std::string_view text, std::string_view protocol) {
  while (!text.empty()) {
    const auto end = std::min(text.find('\n'), text.size());
    const auto fields = SplitFields(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (fields.size() >= 3 && fields[0].size() == protocol.size() + 1 &&
        fields[0].starts_with(protocol) && fields[0].back() == ':' && fields[1] == "inuse") {
      long value = 0;
      return ParseNumber(fields[2], value, 10) ? std::optional<long>(value) : std::nullopt;
    }
  }
  return std::nullopt;
}

Status ParseProcNetRows(std::string_view text,
                        Protocol protocol,
                        AddressFamily family,
                        std::vector<RawSocket>& out,
                        std::size_t first_line) {
  for (std::size_t line_number = first_line; !text.empty(); ++line_number) {
    const auto end = std::min(text.find('\n'), text.size());
    const auto line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.find_first_not_of(' ') == std::string_view::npos) {
      continue;  // blank
    }
    RawSocket socket;
    bool wanted = false;
    if (!ParseRow(line, protocol, family, socket, wanted)) {
      return Fail("proc net: malformed row at line " + std::to_string(line_number), EINVAL);
    }
    if (wanted) {
      out.push_back(socket);
    }
  }
  return {};
}

Status ParseProcNet(std::string_view text,
                    Protocol protocol,
                    AddressFamily family,
                    std::vector<RawSocket>& out) {
  const auto header_end = std::min(text.find('\n'), text.size());
  text.remove_prefix(std::min(header_end + 1, text.size()));
  return ParseProcNetRows(text, protocol, family, out, 2);
}

}  // namespace portwarden::inventory
