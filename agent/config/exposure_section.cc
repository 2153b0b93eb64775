// Reader for [exposure] and [[exposure.rules]] / [[exposure.zones]].
// TODO(policy): full rule parsing lands with the exposure-policy issue.
#include "agent/config/sections.h"

namespace portwarden::config {

Status ReadExposureSection(const TomlReader& reader, const toml::node& node, ExposureConfig& out) {
  auto table = reader.Table(node, "exposure");
  if (!table) {
    return std::unexpected(table.error());
  }
  (void)out;
  return reader.CheckKeys(**table, "[exposure]", {});
}

}  // namespace portwarden::config
