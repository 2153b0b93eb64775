#include "tests/unit/exporters/report/audit_fixture.h"

namespace portwarden::exporters::report::testing {
namespace {

constexpr double kDay = 86400;

inventory::Listener MakeListener(
    std::string address, std::uint16_t port, Scope scope, std::string comm, int pid) {
  inventory::Listener l;
  l.address = std::move(address);
  l.family = l.address.find(':') != std::string::npos ? AddressFamily::kIpv6 : AddressFamily::kIpv4;
  l.port = port;
  l.scope = scope;
  l.netns = "host";
  l.process.comm = std::move(comm);
  l.process.pid = pid;
  l.process.exe = pid ? "/usr/sbin/" + l.process.comm : "";
  l.process.holder_count = pid ? 1 : 0;
  return l;
}

probe::CertificateInfo Cert(int pos, std::string subject, std::string issuer, double not_after) {
  probe::CertificateInfo c;
  c.chain_pos = pos;
  c.subject_cn = std::move(subject);
  c.issuer_cn = std::move(issuer);
  c.not_before = kGeneratedAt - 30 * kDay;
  c.not_after = not_after;
  c.serial = "0" + std::to_string(pos + 1);
  c.fingerprint_sha256 = std::string(64, static_cast<char>('a' + pos));
  c.key_algorithm = "EC";
  c.key_bits = 256;
  c.signature_algorithm = "ecdsa-with-SHA256";
  return c;
}

}  // namespace

state::Snapshot AuditSnapshot() {
  state::Snapshot s;
  auto inventory = std::make_shared<inventory::InventoryReport>();
  inventory->success = true;
  inventory->listeners = {
      MakeListener("0.0.0.0", 22, Scope::kPrivate, "sshd", 610),
      MakeListener("0.0.0.0", 8443, Scope::kPublic, "<b>x\xE2\x80\xAE\x1b[1m|=1", 4242),
      MakeListener("::", 443, Scope::kPublic, "nginx", 812),
  };
  inventory->listeners[2].v6only = false;
  inventory->listeners[2].process.holder_count = 3;
  inventory->listeners[2].process.unit = "nginx.service";
  auto policy = std::make_shared<policy::PolicyReport>();
  policy->verdicts = {{"remote-admin-internal", false, {Scope::kLoopback, Scope::kPrivate}},
                      {"https-alt-internal", true, {Scope::kLoopback, Scope::kPrivate}},
                      {"https-public", false, {}}};
  policy->first_seen_timestamps = {kGeneratedAt - 3600, kGeneratedAt - 60, kGeneratedAt - 7200};
  auto probes = std::make_shared<probe::ProbeReport>();
  probe::ProbeResult ok;
  ok.target = "www.example.com:443";
  ok.address = "192.0.2.10:443";
  ok.server_name = "www.example.com";
  ok.timestamp = kGeneratedAt - 30;
  ok.success = true;
  ok.tls_version = "TLS 1.3";
  ok.verified = true;
  ok.verify_result = "ok";
  ok.chain = {Cert(0, "www.example.com", "Example CA", kGeneratedAt + 20.5 * kDay),
              Cert(1, "Example CA", "Example Root", kGeneratedAt + 400 * kDay)};
  probe::ProbeResult hostile;
  hostile.target = "127.0.0.1:8443";
  hostile.address = "127.0.0.1:8443";
  hostile.server_name = "localhost";
  hostile.source = probe::TargetSource::kDiscovered;
  hostile.timestamp = kGeneratedAt - 30;
  hostile.failure_reason = "verify";
  hostile.failure_phase = "verify";
  hostile.tls_version = "TLS 1.2";
  hostile.verify_result = "self_signed";
  hostile.verify_detail = "self-signed certificate";
  hostile.verify_depth = 0;
  hostile.chain = {
      Cert(0, "<script>alert(1)</script>\xE2\x80\xAE|*x*", "-=cmd", kGeneratedAt - 2 * kDay)};
  probe::ProbeResult refused;
  refused.target = "db.internal:5432";
  refused.address = "10.0.0.5:5432";
  refused.server_name = "db.internal";
  refused.timestamp = kGeneratedAt - 30;
  refused.failure_reason = "connect_refused";
  refused.failure_phase = "connect";
  refused.failure_detail = "connect: Connection refused";
  probes->results = {ok, hostile, refused};
  s.inventory = inventory;
  s.policy = policy;
  s.probes = probes;
  s.host = {"auditee", "0123456789abcdef0123456789abcdef", "Linux 6.1.0 x86_64",
            "Debian GNU/Linux 12 (bookworm)"};
  s.start_timestamp = kGeneratedAt - 86400;
  s.collectors = {{"inventory", true, 0.012, kGeneratedAt - 5, ""},
                  {"tls", true, 0.2, kGeneratedAt - 30, ""}};
  s.generation = 7;
  return s;
}

}  // namespace portwarden::exporters::report::testing
