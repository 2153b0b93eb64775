#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace portwarden {

/// `host` as it goes before ":port" or into a URL: an IPv6 literal (any host containing ':')
/// in brackets ("[::1]"), anything else unchanged. `host` itself carries no brackets.
std::string BracketHost(std::string_view host);

/// "host:port" with IPv6 literals always bracketed: "[::1]:443", "127.0.0.1:80",
/// "example.com:443", ":443" for an empty host. The one joiner of the tree.
std::string JoinHostPort(std::string_view host, std::uint16_t port);

}  // namespace portwarden
