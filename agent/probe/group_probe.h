#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/probe/address_resolution.h"
#include "agent/probe/group_verdict.h"
#include "agent/probe/probe_deadline.h"
#include "agent/probe/server_hello.h"
#include "agent/probe/tls_groups.h"

/// Key-exchange group detection (docs/architecture.md, "Key-exchange groups"): per group, one
/// TCP connection sends a TLS 1.3 ClientHello offering only that group, with a key share for
/// it, and reads the server's first reply: a ServerHello whose key_share names the group means
/// the server accepts it; an alert means it does not. No handshake is completed and no key is
/// derived.
namespace portwarden::probe {

/// The verdict a server's reply (or its parse error) gives for `offered`. Pure.
///   ServerHello, TLS 1.3, key_share of `offered`       → supported
///   HelloRetryRequest selecting `offered`              → supported (server wants a new share)
///   ServerHello / HRR naming another group             → not supported (RFC 8446 forbids
///                                                        it; the server cannot use ours)
///   an alert other than protocol_version               → not supported
///   protocol_version alert, or a TLS <= 1.2 ServerHello → unknown, `no_tls13`
///   malformed                                          → unknown, `malformed`
/// A reply still incomplete is judged by the caller (timeout or closed).
GroupVerdict JudgeReply(const groups::Group& offered,
                        const std::expected<hello::ServerReply, hello::ReplyError>& reply);

/// Probes one group on `address`: connects (inside `netns_path` when set, as every probe
/// does), sends the ClientHello (SNI `server_name` unless empty or an IP literal), reads at
/// most kMaxServerReplyBytes until the reply parses, and closes. Everything, the connect
/// included, ends by `deadline`. Thread-safe.
GroupVerdict ProbeGroup(const groups::Group& group,
                        const ResolvedAddress& address,
                        const std::string& netns_path,
                        const std::string& server_name,
                        const ProbeDeadline& deadline);

/// ProbeGroup for every group of groups::All(), one after the other, each with its own
/// connection; groups still waiting when `deadline` passes are reported as `timeout`.
std::vector<GroupVerdict> ProbeGroups(const ResolvedAddress& address,
                                      const std::string& netns_path,
                                      const std::string& server_name,
                                      const ProbeDeadline& deadline);

}  // namespace portwarden::probe
