#include "exporters/json/state_json.h"

namespace portwarden::exporters::json {
namespace {

// A listener with one inode and a short exe path writes about 390 bytes.
constexpr std::size_t kBytesPerListener = 448;

void WriteProcess(JsonWriter& out, const inventory::ProcessInfo& process) {
  out.Key("process").BeginObject();
  out.Field("pid", process.pid)
      .Field("comm", process.comm)
      .Field("exe", process.exe)
      .Field("unit", process.unit)
      .Field("holder_count", process.holder_count);
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
}

}  // namespace

void WriteListeners(JsonWriter& out,
                    const inventory::InventoryReport& inventory,
                    const policy::PolicyReport& policy) {
  out.Reserve(inventory.listeners.size() * kBytesPerListener);
  out.BeginArray();
  for (std::size_t i = 0; i < inventory.listeners.size(); ++i) {
    out.BeginObject();
    WriteListener(out, inventory.listeners[i]);
    if (i < policy.verdicts.size()) {
      out.Field("rule", policy.verdicts[i].rule).Field("violation", policy.verdicts[i].violation);
    }
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace portwarden::exporters::json
