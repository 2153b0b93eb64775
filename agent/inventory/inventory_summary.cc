#include "agent/inventory/inventory_summary.h"

#include <initializer_list>
#include <utility>

namespace portwarden::inventory {
namespace {

std::string Join(std::initializer_list<std::pair<int, const char*>> parts) {
  std::string out;
  for (const auto& [count, what] : parts) {
    if (count > 0) {
      out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + what;
    }
  }
  return out;
}

}  // namespace

bool ViewPartial(const InventoryStats& stats) {
  return stats.namespaces_unreadable > 0 || stats.namespaces_failed > 0 ||
         stats.unattributed_sockets > 0;
}

std::string PartialReasons(const InventoryStats& stats) {
  return Join({{stats.namespaces_unreadable, "network namespaces unreadable"},
               {stats.namespaces_failed, "network namespaces failed"},
               {stats.unattributed_sockets, "sockets without a readable owner process"}});
}

std::string NamespaceSummary(const InventoryStats& stats) {
  const std::string out = Join({{stats.namespaces_via_netlink, "via netlink"},
                                {stats.namespaces_via_proc, "via /proc"},
                                {stats.namespaces_unreadable, "unreadable"},
                                {stats.namespaces_failed, "failed"},
                                {stats.namespaces_vanished, "vanished"}});
  return out.empty() ? "none" : out;
}

}  // namespace portwarden::inventory
