#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {
namespace {

// A listener with one inode and a short exe path writes about 390 bytes.
constexpr std::size_t kBytesPerListener = 448;
// PrintListeners hands the buffer to stdio once it holds this much.
constexpr std::size_t kPrintChunk = 64 * 1024;

void WriteProcess(JsonWriter& out, const inventory::ProcessInfo& process) {
  out.Key("process").BeginObject();
  out.Field("pid", process.pid)
      .Field("comm", process.comm)
      .Field("exe", process.exe)
      .Field("unit", process.unit)
      .Field("holder_count", process.holder_count);
  out.EndObject();
}

void OptionalCount(JsonWriter& out, const char* key, const std::optional<std::uint32_t>& value) {
  out.Key(key);
  if (value) {
    out.Int(*value);
  } else {
    out.Null();
  }
}

// Accept queue and its limit, and the established connections by peer scope (null: unknown).
void WriteActivity(JsonWriter& out, const inventory::Listener& listener) {
  OptionalCount(out, "accept_queue", listener.accept_queue);
  OptionalCount(out, "accept_queue_limit", listener.accept_queue_limit);
  out.Key("connections");
  if (!listener.connections) {
    out.Null();
    return;
  }
  out.BeginObject();
  for (const Scope scope : {Scope::kLoopback, Scope::kLinkLocal, Scope::kPrivate, Scope::kPublic}) {
    out.Field(ScopeName(scope),
              static_cast<std::int64_t>((*listener.connections)[static_cast<std::size_t>(scope)]));
  }
  out.EndObject();
}

void WriteListener(JsonWriter& out, const inventory::Listener& listener) {
  out.Field("proto", ProtocolName(listener.protocol))
      .Field("family", FamilyName(listener.family))
      .Field("address", listener.address)
      .Field("port", static_cast<int>(listener.port))
      .Field("scope", ScopeName(listener.scope))
      .Field("netns", listener.netns)
      .Field("netns_inode", listener.netns_inode)
      .Field("netns_path", listener.netns_path)
      .Field("interface", listener.interface);
  out.Key("v6only");
  if (listener.v6only) {
    out.Bool(*listener.v6only);
  } else {
    out.Null();
  }
  out.Field("uid", static_cast<std::int64_t>(listener.uid))
      .Field("socket_count", listener.socket_count);
  out.Key("inodes").BeginArray();
  for (const auto inode : listener.inodes) {
    out.Int(static_cast<std::int64_t>(inode));
  }
  out.EndArray();
  WriteProcess(out, listener.process);
  WriteActivity(out, listener);
}

// The listener array; `after_each` runs after every listener (e.g. to flush the buffer).
template <typename AfterEach>
void WriteListenerArray(JsonWriter& out,
                        const inventory::InventoryReport& inventory,
                        const policy::PolicyReport& policy,
                        AfterEach after_each) {
  out.BeginArray();
  for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
    out.BeginObject();
    WriteListener(out, inventory.listeners[i]);
    if (i < policy.verdicts.size()) {
      out.Field("rule", policy.verdicts[i].rule)
          .Field("violation", policy.verdicts[i].violation)
          .Field("observed_violation", policy.verdicts[i].observed_violation);
    }
    if (i < policy.unapproved.size()) {
      out.Field("unapproved", static_cast<bool>(policy.unapproved[i]));
    }
    out.EndObject();
    after_each();
  }
  out.EndArray();
}

}  // namespace

void WriteListeners(JsonWriter& out,
                    const inventory::InventoryReport& inventory,
                    const policy::PolicyReport& policy) {
  out.Reserve(inventory.listeners.size() * kBytesPerListener);
  WriteListenerArray(out, inventory, policy, [] {});
}

void PrintListeners(std::FILE* file,
                    const inventory::InventoryReport& inventory,
                    const policy::PolicyReport& policy) {
  JsonWriter out;
  out.Reserve(kPrintChunk + 2 * kBytesPerListener);
  WriteListenerArray(out, inventory, policy, [&] {
    if (out.size() >= kPrintChunk) {
      out.FlushTo(file);
    }
  });
  out.FlushTo(file);
  std::fputc('\n', file);
}

}  // namespace portwarden::exporters::json
