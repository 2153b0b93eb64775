#pragma once

#include <vector>

#include <toml++/toml.h>

#include "agent/config/config.h"
#include "agent/config/toml_reader.h"

/// One reader per top-level TOML table. Each validates its own keys and values and
/// fills the matching part of Config; absent keys keep the defaults already there.
namespace portwarden::config {

Status ReadAgentSection(const TomlReader& reader, const toml::node& node, AgentSettings& out);
Status ReadWebSection(const TomlReader& reader, const toml::node& node, WebSettings& out);
Status ReadDiscoverySection(const TomlReader& reader,
                            const toml::node& node,
                            DiscoverySettings& out);
Status ReadInventorySection(const TomlReader& reader,
                            const toml::node& node,
                            InventorySettings& out);
Status ReadEndpointsSection(const TomlReader& reader,
                            const toml::node& node,
                            std::vector<EndpointConfig>& out);
Status ReadCertificatesSection(const TomlReader& reader,
                               const toml::node& node,
                               std::vector<CertificateSourceConfig>& out);
Status ReadRevocationSection(const TomlReader& reader,
                             const toml::node& node,
                             RevocationSettings& out);
Status ReadExposureSection(const TomlReader& reader, const toml::node& node, ExposureConfig& out);

}  // namespace portwarden::config
