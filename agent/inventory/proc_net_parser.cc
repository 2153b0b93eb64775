#include "agent/inventory/proc_net_parser.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

namespace portwarden::inventory {
namespace {

constexpr std::string_view kTcpListen = "0A";
constexpr std::string_view kUdpUnconnected = "07";

// At most kMaxFields leading fields of `line` (the rest is not needed), without allocating.
constexpr std::size_t kMaxFields = 10;

struct Fields {
  std::array<std::string_view, kMaxFields> at;
  std::size_t count = 0;

  std::size_t size() const { return count; }

  std::string_view operator[](std::size_t i) const { return at[i]; }
};

Fields SplitFields(std::string_view line) {
  Fields fields;
  std::size_t pos = 0;
  while (pos < line.size() && fields.count < kMaxFields) {
    const auto start = line.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) {
      break;
    }
    const auto end = std::min(line.find(' ', start), line.size());
    fields.at[fields.count++] = line.substr(start, end - start);
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
              bool& wanted,
              bool& listening) {
  const auto fields = SplitFields(line);
  if (fields.size() < kMaxFields) {
    return false;
  }
  listening = fields[3] == kTcpListen;
  wanted = protocol == Protocol::kTcp ? listening : fields[3] == kUdpUnconnected;
  socket.protocol = protocol;
  socket.family = family;
  // "tx_queue:rx_queue"; for a TCP listener rx_queue is its accept queue (no backlog here).
  if (const auto colon = fields[4].find(':'); listening && colon != std::string_view::npos) {
    std::uint32_t rqueue = 0;
    if (ParseNumber(fields[4].substr(colon + 1), rqueue, 16)) {
      socket.rqueue = rqueue;
    }
  }
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
                        std::size_t first_line,
                        ProcNetTally& tally) {
  for (std::size_t line_number = first_line; !text.empty(); ++line_number) {
    const auto end = std::min(text.find('\n'), text.size());
    const auto line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.find_first_not_of(' ') == std::string_view::npos) {
      continue;  // blank
    }
    RawSocket socket;
    bool wanted = false;
    bool listening = false;
    if (!ParseRow(line, protocol, family, socket, wanted, listening)) {
      return Fail("proc net: malformed row at line " + std::to_string(line_number), EINVAL);
    }
    ++tally.rows;
    tally.past_listeners = tally.past_listeners || !listening;
    if (wanted) {
      ++tally.wanted;
      out.push_back(socket);
    }
    if (tally.in_use >= 0 && ProcNetReadComplete(tally, protocol, tally.in_use)) {
      tally.complete = true;
      return {};
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
  ProcNetTally tally;
  return ParseProcNetRows(text, protocol, family, out, 2, tally);
}

bool ProcNetReadComplete(const ProcNetTally& tally, Protocol protocol, long in_use) {
  if (protocol == Protocol::kTcp) {
    return tally.past_listeners || tally.wanted >= in_use;
  }
  return tally.rows >= in_use;
}

}  // namespace portwarden::inventory
