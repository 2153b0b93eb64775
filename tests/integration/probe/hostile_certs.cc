#include "tests/integration/probe/hostile_certs.h"

#include <fstream>
#include <memory>
#include <sstream>

namespace portwarden::testing {
namespace {

constexpr char kCaExt[] = "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign\n";
constexpr char kLeafExt[] =
    "basicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n";

/// `openssl req -x509` with the extensions `ext`, signed by `issuer` (self-signed if null).
Cert Make(const std::string& dir,
          const std::string& name,
          const std::string& subject,
          const Cert* issuer,
          const std::string& ext,
          const std::string& req_options = "") {
  const std::string base = dir + "/" + name;
  std::ofstream(base + ".cnf") << "[req]\ndistinguished_name = dn\n"
                               << req_options << "[dn]\n[ext]\n"
                               << ext;
  Cert cert{base + ".pem", base + ".key", 0, 0};
  Shell(
      "openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30"
      " -utf8 -keyout " +
      cert.key + " -out " + cert.pem + " -subj '" + subject + "' -config " + base +
      ".cnf -extensions ext" +
      (issuer != nullptr ? " -CA " + issuer->pem + " -CAkey " + issuer->key : ""));
  return cert;
}

std::string Read(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
  }
}

void Build(HostileCerts& c) {
  const std::string& dir = c.dir.path();
  const Cert root = Make(dir, "root", "/CN=Hostile Root", nullptr, kCaExt);
  c.root = root.pem;
  Cert issuer = root;
  std::string rest;
  for (int i = 1; i < 60; ++i) {
    issuer = Make(dir, "i" + std::to_string(i), "/CN=Link " + std::to_string(i), &issuer, kCaExt);
    rest = Read(issuer.pem) + rest;
  }
  c.chain60 = Make(dir, "chain60", "/CN=localhost", &issuer, kLeafExt);
  c.chain60_rest = dir + "/chain60_rest.pem";
  std::ofstream(c.chain60_rest) << rest;

  std::string sans =
      "basicConstraints = CA:FALSE\nsubjectAltName = @alt\n[alt]\n"
      "DNS.0 = localhost\nIP.0 = 127.0.0.1\n";
  for (int i = 1; i < 10000; ++i) {
    sans += "DNS." + std::to_string(i) + " = n" + std::to_string(i) + "\n";
  }
  c.many_sans = Make(dir, "many_sans", "/CN=localhost", &root, sans);

  std::string subject = "/CN=localhost";
  while (subject.size() < 60 * 1024) {
    subject += "/OU=" + std::string(60, 'u');
  }
  c.big_subject = Make(dir, "big_subject", subject, &root, kLeafExt);

  // OpenSSL refuses to parse a name whose UTF8String or BMPString is not valid Unicode, so
  // the CN carries its stray bytes as a T61String (0xff 0xfe, converted as Latin-1). The SAN
  // is an IA5String nobody checks: a placeholder of the right length is replaced by bytes no
  // CA would sign. The signature breaks (the probe reports a verification failure), the
  // parse must not.
  const Cert utf8 =
      Make(dir, "bad_utf8", "/CN=\xc3\xbf\xc3\xbe-cn", nullptr,
           "subjectAltName = DNS:localhost,DNS:hostilesanx.test\n", "string_mask = nombstr\n");
  Shell("openssl x509 -in " + utf8.pem + " -outform DER -out " + dir + "/bad_utf8.der");
  std::string der = Read(dir + "/bad_utf8.der");
  ReplaceAll(der, "hostilesanx",
             std::string("\xc0\xafsan\xff\xfe"
                         "bad\x80",
                         11));
  std::ofstream(dir + "/bad_utf8.der", std::ios::binary | std::ios::trunc) << der;
  c.bad_utf8 = Cert{dir + "/bad_utf8.der", utf8.key, 0, 0};
}

}  // namespace

const HostileCerts& SharedHostileCerts() {
  static const std::unique_ptr<HostileCerts> certs = [] {
    auto built = std::make_unique<HostileCerts>();
    Build(*built);
    return built;
  }();
  return *certs;
}

}  // namespace portwarden::testing
