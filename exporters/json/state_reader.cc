// The one adapter around nlohmann::json: its exceptions stop here.
#include "exporters/json/state_reader.h"

#include <nlohmann/json.hpp>

#include "agent/core/text_sanitize.h"

namespace portwarden::exporters::json {
namespace {

using Json = nlohmann::json;
using text::Kind;

// Thrown inside this file only, caught in ReadStateJson.
struct FieldError {
  std::string message;
};

[[noreturn]] void Bad(std::string_view where, std::string_view what) {
  throw FieldError{std::string(where) + ": " + std::string(what)};
}

std::string Str(const Json& object, const char* key, Kind kind) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return "";
  }
  if (!it->is_string()) {
    Bad(key, "expected a string");
  }
  return text::Sanitize(it->get_ref<const std::string&>(), kind);
}

double Num(const Json& object, const char* key, double low = -1e300, double high = 1e300) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return 0;
  }
  if (!it->is_number()) {
    Bad(key, "expected a number");
  }
  const double value = it->get<double>();
  if (!(value >= low && value <= high)) {
    Bad(key, "out of range");
  }
  return value;
}

bool Flag(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return false;
  }
  if (!it->is_boolean()) {
    Bad(key, "expected true or false");
  }
  return it->get<bool>();
}

const Json& Array(const Json& object, const char* key) {
  static const Json kEmpty = Json::array();
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return kEmpty;
  }
  if (!it->is_array()) {
    Bad(key, "expected an array");
  }
  return *it;
}

const Json& Object(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return kEmpty;
  }
  if (!it->is_object()) {
    Bad(key, "expected an object");
  }
  return *it;
}

inventory::Listener ReadListener(const Json& j, policy::Verdict& verdict, bool& has_verdict) {
  if (!j.is_object()) {
    Bad("listeners", "expected objects");
  }
  inventory::Listener l;
  l.protocol = ParseProtocol(Str(j, "proto", Kind::kConfigExcerpt)).value_or(Protocol::kTcp);
  l.family = Str(j, "family", Kind::kConfigExcerpt) == "ipv6" ? AddressFamily::kIpv6
                                                              : AddressFamily::kIpv4;
  l.address = Str(j, "address", Kind::kConfigExcerpt);
  l.port = static_cast<std::uint16_t>(Num(j, "port", 0, 65535));
  l.scope = ParseScope(Str(j, "scope", Kind::kConfigExcerpt)).value_or(Scope::kPublic);
  l.netns = Str(j, "netns", Kind::kNetnsName);
  l.netns_inode = static_cast<std::uint64_t>(Num(j, "netns_inode", 0, 1.8e19));
  l.interface = Str(j, "interface", Kind::kInterfaceName);
  if (const auto it = j.find("v6only"); it != j.end() && it->is_boolean()) {
    l.v6only = it->get<bool>();
  }
  l.uid = static_cast<std::uint32_t>(Num(j, "uid", 0, 4294967295.0));
  l.socket_count = static_cast<int>(Num(j, "socket_count", 0, 1e9));
  const Json& process = Object(j, "process");
  l.process.pid = static_cast<int>(Num(process, "pid", 0, 1e9));
  l.process.comm = Str(process, "comm", Kind::kProcessName);
  l.process.exe = Str(process, "exe", Kind::kExePath);
  l.process.unit = Str(process, "unit", Kind::kUnit);
  l.process.holder_count = static_cast<int>(Num(process, "holder_count", 0, 1e9));
  has_verdict = j.contains("rule");
  verdict.rule = Str(j, "rule", Kind::kConfigExcerpt);
  verdict.violation = Flag(j, "violation");
  return l;
}

probe::CertificateInfo ReadCertificate(const Json& j) {
  if (!j.is_object()) {
    Bad("chain", "expected objects");
  }
  probe::CertificateInfo c;
  c.chain_pos = static_cast<int>(Num(j, "chain_pos", 0, 1000));
  c.subject_cn = Str(j, "subject_cn", Kind::kCertName);
  c.issuer_cn = Str(j, "issuer_cn", Kind::kCertName);
  c.not_before = Num(j, "not_before");
  c.not_after = Num(j, "not_after");
  c.serial = Str(j, "serial", Kind::kCertName);
  c.fingerprint_sha256 = Str(j, "fingerprint_sha256", Kind::kCertName);
  c.san = Str(j, "san", Kind::kCertNameList);
  c.key_algorithm = Str(j, "key_algorithm", Kind::kCertName);
  c.key_bits = static_cast<int>(Num(j, "key_bits", 0, 1e6));
  c.signature_algorithm = Str(j, "signature_algorithm", Kind::kCertName);
  return c;
}

std::optional<double> OptionalNum(const Json& j, const char* key) {
  return j.contains(key) && !j[key].is_null() ? std::optional(Num(j, key)) : std::nullopt;
}

probe::ProbeResult ReadProbe(const Json& j) {
  if (!j.is_object()) {
    Bad("probes", "expected objects");
  }
  probe::ProbeResult r;
  r.target = Str(j, "target", Kind::kCertName);
  r.address = Str(j, "address", Kind::kCertName);
  r.server_name = Str(j, "server_name", Kind::kCertName);
  r.source = Str(j, "source", Kind::kConfigExcerpt) == "discovered"
                 ? probe::TargetSource::kDiscovered
                 : probe::TargetSource::kConfig;
  r.timestamp = Num(j, "timestamp");
  r.success = Flag(j, "success");
  r.failure_reason = Str(j, "failure_reason", Kind::kConfigExcerpt);
  r.failure_phase = Str(j, "failure_phase", Kind::kConfigExcerpt);
  r.failure_detail = Str(j, "failure_detail", Kind::kErrorText);
  const Json& phases = Object(j, "phases");
  r.phases.resolve = OptionalNum(phases, "resolve");
  r.phases.connect = OptionalNum(phases, "connect");
  r.phases.handshake = OptionalNum(phases, "handshake");
  r.phases.http = OptionalNum(phases, "http");
  r.tls_version = Str(j, "tls_version", Kind::kConfigExcerpt);
  r.cipher = Str(j, "cipher", Kind::kConfigExcerpt);
  r.group = Str(j, "group", Kind::kConfigExcerpt);
  r.alpn = Str(j, "alpn", Kind::kConfigExcerpt);
  r.verified = Flag(j, "verified");
  r.verify_result = Str(j, "verify_result", Kind::kConfigExcerpt);
  r.verify_detail = Str(j, "verify_detail", Kind::kErrorText);
  r.verify_depth = static_cast<int>(Num(j, "verify_depth", -1, 1000));
  if (const auto status = OptionalNum(j, "http_status")) {
    r.http_status = static_cast<int>(*status);
  }
  for (const Json& name : Array(j, "client_ca_names")) {
    if (name.is_string() && r.client_ca_names.size() < probe::kMaxClientCaNames) {
      r.client_ca_names.push_back(
          text::Sanitize(name.get_ref<const std::string&>(), Kind::kCertName));
    }
  }
  for (const Json& cert : Array(j, "chain")) {
    r.chain.push_back(ReadCertificate(cert));
  }
  return r;
}

void ReadDocument(const Json& root, StateDocument& out) {
  if (!root.is_object()) {
    Bad("document", "expected a JSON object (the body of /api/state)");
  }
  if (!root.contains("listeners") || !root.contains("probes")) {
    Bad("document", "no \"listeners\" and \"probes\": not the body of /api/state");
  }
  state::Snapshot& s = out.snapshot;
  const Json& agent = Object(root, "agent");
  out.agent_version = Str(agent, "version", Kind::kConfigExcerpt);
  out.agent_revision = Str(agent, "revision", Kind::kConfigExcerpt);
  s.start_timestamp = Num(agent, "start_timestamp");
  const Json& host = Object(root, "host");
  s.host.hostname = Str(host, "hostname", Kind::kUnit);
  s.host.machine_id = Str(host, "machine_id", Kind::kUnit);
  s.host.kernel = Str(host, "kernel", Kind::kUnit);
  s.host.os = Str(host, "os", Kind::kUnit);
  auto inventory = std::make_shared<inventory::InventoryReport>();
  auto policy = std::make_shared<policy::PolicyReport>();
  bool all_verdicts = true;
  bool all_flags = true;
  for (const Json& item : Array(root, "listeners")) {
    policy::Verdict verdict;
    bool has_verdict = false;
    inventory->listeners.push_back(ReadListener(item, verdict, has_verdict));
    all_verdicts = all_verdicts && has_verdict;
    policy->verdicts.push_back(std::move(verdict));
    all_flags = all_flags && item.contains("unapproved");
    policy->unapproved.push_back(Flag(item, "unapproved"));
  }
  if (!all_verdicts) {
    policy->verdicts.clear();
  }
  if (!all_flags) {
    policy->unapproved.clear();  // no baseline in force (or an older agent)
  }
  const Json& baseline = Object(root, "baseline");
  policy->baseline.file = Str(baseline, "file", Kind::kExePath);
  policy->baseline.loaded = Flag(baseline, "loaded");
  policy->baseline.last_load_ok =
      !baseline.contains("last_load_ok") || Flag(baseline, "last_load_ok");
  policy->baseline.error = Str(baseline, "error", Kind::kErrorMessage);
  policy->baseline.entries = static_cast<std::size_t>(Num(baseline, "entries", 0, 1e9));
  policy->baseline.load_timestamp = Num(baseline, "load_timestamp");
  inventory->success = true;
  auto probes = std::make_shared<probe::ProbeReport>();
  for (const Json& item : Array(root, "probes")) {
    probes->results.push_back(ReadProbe(item));
  }
  for (const Json& item : Array(root, "collectors")) {
    state::CollectorStatus c;
    c.name = Str(item, "name", Kind::kConfigExcerpt);
    c.success = Flag(item, "success");
    c.duration_seconds = Num(item, "duration_seconds");
    c.timestamp = Num(item, "timestamp");
    c.error = Str(item, "error", Kind::kErrorMessage);
    s.collectors.push_back(std::move(c));
  }
  const Json& config = Object(root, "config");
  s.reload.source = Str(config, "source", Kind::kExePath);
  s.reload.last_successful =
      !config.contains("last_reload_successful") || Flag(config, "last_reload_successful");
  s.reload.last_error = Str(config, "last_reload_error", Kind::kErrorMessage);
  s.inventory = std::move(inventory);
  s.policy = std::move(policy);
  s.probes = std::move(probes);
}

}  // namespace

Result<StateDocument> ReadStateJson(std::string_view text) {
  if (text.size() > kMaxStateBytes) {
    return Fail("state document of " + std::to_string(text.size()) + " bytes is larger than " +
                std::to_string(kMaxStateBytes));
  }
  bool too_deep = false;
  const Json::parser_callback_t depth_guard = [&too_deep](int depth, Json::parse_event_t, Json&) {
    too_deep = too_deep || depth > kMaxStateDepth;
    return !too_deep;
  };
  try {
    const Json root = Json::parse(text, depth_guard);
    if (too_deep) {
      return Fail("state document nested deeper than " + std::to_string(kMaxStateDepth));
    }
    StateDocument out;
    ReadDocument(root, out);
    return out;
  } catch (const Json::exception& error) {
    return Fail(text::Sanitize(std::string("state document is not JSON: ") + error.what(),
                               Kind::kErrorMessage));
  } catch (const FieldError& error) {
    return Fail("state document: " + error.message);
  }
}

}  // namespace portwarden::exporters::json
