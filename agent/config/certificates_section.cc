// Reader for [[certificates]]: certificate files on disk (agent/certfiles/ reads them).
// Paths are not checked for existence here: a missing or unreadable file is data
// (portwarden_cert_file_error), since certificates come and go while the agent runs.
#include <set>
#include <string>
#include <utility>

#include "agent/config/excerpt.h"
#include "agent/config/sections.h"

namespace portwarden::config {
namespace {

Result<std::vector<std::string>> ReadPaths(const TomlReader& reader, const toml::node& node) {
  auto paths = reader.StringArray(node, "certificates.paths");
  if (!paths) {
    return paths;
  }
  if (paths->empty()) {
    return std::unexpected(reader.ErrorAt(node, "certificates.paths", "must not be empty"));
  }
  if (paths->size() > kMaxCertificatePaths) {
    return std::unexpected(reader.ErrorAt(
        node, "certificates.paths", "at most " + std::to_string(kMaxCertificatePaths) + " paths"));
  }
  for (const std::string& path : *paths) {
    if (path.empty() || path.front() != '/') {
      return std::unexpected(
          reader.ErrorAt(node, "certificates.paths", "must be absolute paths, got " + Quote(path)));
    }
  }
  return paths;
}

Result<std::string> ReadPasswordFile(const TomlReader& reader, const toml::node& node) {
  auto path = reader.NonEmptyString(node, "certificates.password_file");
  if (path && path->front() != '/') {
    return std::unexpected(
        reader.ErrorAt(node, "certificates.password_file", "must be an absolute path"));
  }
  return path;
}

Status ReadSource(const TomlReader& reader, const toml::table& t, CertificateSourceConfig& out) {
  const toml::node* paths = t.get("paths");
  if (paths == nullptr) {
    return std::unexpected(reader.ErrorAt(t, "certificates", "missing required key \"paths\""));
  }
  return TomlReader::Assign(t, "paths", out.paths,
                            [&](const toml::node& n) { return ReadPaths(reader, n); })
      .and_then([&] {
        return TomlReader::Assign(t, "password_file", out.password_file,
                                  [&](const toml::node& n) { return ReadPasswordFile(reader, n); });
      })
      .and_then([&] {
        return TomlReader::Assign(t, "name", out.name, [&](const toml::node& n) {
          return reader.NonEmptyString(n, "certificates.name");
        });
      });
}

}  // namespace

Status ReadCertificatesSection(const TomlReader& reader,
                               const toml::node& node,
                               std::vector<CertificateSourceConfig>& out) {
  auto tables = reader.TableArray(node, "certificates");
  if (!tables) {
    return std::unexpected(tables.error());
  }
  if (tables->size() > kMaxCertificateSources) {
    return std::unexpected(reader.ErrorAt(
        node, "certificates",
        "at most " + std::to_string(kMaxCertificateSources) + " [[certificates]] tables"));
  }
  std::set<std::string> names;
  for (const toml::table* table : *tables) {
    CertificateSourceConfig source;
    Status status = reader.CheckKeys(*table, "[[certificates]]", {"name", "paths", "password_file"})
                        .and_then([&] { return ReadSource(reader, *table, source); });
    if (!status) {
      return status;
    }
    if (!source.name.empty() && !names.insert(source.name).second) {
      return std::unexpected(
          reader.ErrorAt(*table, "certificates.name", "duplicate name " + Quote(source.name)));
    }
    out.push_back(std::move(source));
  }
  return {};
}

}  // namespace portwarden::config
