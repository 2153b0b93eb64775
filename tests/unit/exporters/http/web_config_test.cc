// The web config reader (exporter-toolkit's format) and the bcrypt check through libcrypt.
#include "exporters/http/web_config.h"

#include <gtest/gtest.h>

#include "exporters/http/basic_auth.h"

namespace portwarden::exporters::http {
namespace {

// htpasswd -nbB -C 4 alice secret (apache2-utils), and a $2b$ hash of the same password.
constexpr const char* kAliceHash = "$2y$04$nx1G./v6xjxwGFAzR.GoruHIPQID6.R8Z/IlmPWT6oYW9LkSU7Lxu";

Result<WebConfig> Parse(std::string_view yaml) {
  return ParseWebConfig(yaml, "web.yml", "/etc/portwarden");
}

std::string ErrorOf(std::string_view yaml) {
  auto config = Parse(yaml);
  return config ? "(no error)" : config.error().message;
}

TEST(WebConfigTest, EmptyFileMeansPlainHttpWithoutAuth) {
  auto config = Parse("");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->tls.Enabled());
  EXPECT_TRUE(config->users.empty());
}

TEST(WebConfigTest, ReadsEveryTlsSetting) {
  auto config = Parse(R"(
tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
  max_version: TLS13
  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]
  curve_preferences: [X25519, CurveP256]
  prefer_server_cipher_suites: false
  client_allowed_sans: [scraper.example]
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: )" + std::string(kAliceHash) +
                      "\n");
  ASSERT_TRUE(config) << config.error().message;
  const TlsServerConfig& tls = config->tls;
  EXPECT_EQ(tls.cert_file, "/etc/portwarden/server.crt");  // relative to the file's directory
  EXPECT_EQ(tls.key_file, "/abs/server.key");
  EXPECT_EQ(tls.client_ca_file, "/etc/portwarden/ca.crt");
  EXPECT_EQ(tls.client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(tls.min_version, 0x0304);
  EXPECT_EQ(tls.cipher_suites, std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  EXPECT_EQ(tls.curve_preferences, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_FALSE(tls.prefer_server_cipher_suites);
  ASSERT_TRUE(tls.client_allowed_sans);
  EXPECT_EQ(config->headers.at("X-Frame-Options"), "deny");
  EXPECT_EQ(config->users.at("alice"), kAliceHash);
  EXPECT_FALSE(config->http2);
}

TEST(WebConfigTest, DefaultsMatchExporterToolkit) {
  auto config = Parse("tls_server_config:\n  cert_file: a\n  key_file: b\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->tls.min_version, 0x0303);
  EXPECT_EQ(config->tls.max_version, 0x0304);
  EXPECT_EQ(config->tls.client_auth, ClientAuth::kNoClientCert);
  EXPECT_TRUE(config->tls.prefer_server_cipher_suites);
}

// The bad-config table: each file with its exact error.
TEST(WebConfigTest, RejectsWithPositionedErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tls_server_config:\n  certfile: x\n",
       "web.yml:2:3: tls_server_config: unknown key \"certfile\""},
      {"basic_auth_user:\n  a: b\n", "web.yml:1:1: unknown key \"basic_auth_user\""},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n",
       "web.yml:4:16: tls_server_config.min_version: unknown TLS version: TLS14"},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Verify\n",
       "web.yml:4:21: tls_server_config.client_auth_type: invalid ClientAuth: Verify"},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [RC4]\n",
       "web.yml:4:19: tls_server_config.cipher_suites: unknown cipher: RC4"},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [P256]\n",
       "web.yml:4:23: tls_server_config.curve_preferences: unknown curve: P256"},
      {"tls_server_config:\n  key_file: b\n",
       "web.yml:2:3: tls_server_config: missing one of cert or cert_file"},
      {"tls_server_config:\n  cert_file: a\n",
       "web.yml:2:3: tls_server_config: missing one of key or key_file"},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
       "web.yml:2:3: tls_server_config: client CA's have been configured without a Client Auth "
       "Policy"},
      {"tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: "
       "TLS12\n",
       "web.yml:2:3: tls_server_config: min_version is above max_version"},
      {"http_server_config:\n  headers:\n    Server: x\n",
       "web.yml:2:3: http_server_config.headers: HTTP header \"Server\" can not be configured"},
      {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
       "web.yml:2:3: http_server_config.headers: invalid value for X-Frame-Options: expected one "
       "of deny, sameorigin"},
      {"basic_auth_users:\n  bob: plaintext\n",
       "web.yml:2:3: basic_auth_users: user \"bob\": not a bcrypt hash ($2y$, $2a$ or $2b$)"},
      {"basic_auth_users: [a]\n", "web.yml:1:19: basic_auth_users: expected a mapping"},
      {"tls_server_config: {cert_file: a, cert_file: b}\n",
       "web.yml:1:35: tls_server_config: key \"cert_file\" is repeated"},
      {"tls_server_config: [\n", "web.yml:2:1: invalid YAML: end of sequence flow not found"},
      {"- a\n", "web.yml:1:1: expected a mapping"},
  };
  for (const auto& [yaml, error] : cases) {
    EXPECT_EQ(ErrorOf(yaml), error) << yaml;
  }
}

TEST(WebConfigTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep = "a: " + std::string(100000, '[');
  EXPECT_NE(ErrorOf(deep).find("web.yml"), std::string::npos);
}

TEST(WebConfigTest, BcryptHashShape) {
  EXPECT_TRUE(IsBcryptHash(kAliceHash));
  EXPECT_TRUE(IsBcryptHash("$2b$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  EXPECT_FALSE(IsBcryptHash("$2x$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  EXPECT_FALSE(IsBcryptHash("$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"));
  EXPECT_FALSE(IsBcryptHash("$6$salt$hash"));
}

TEST(BasicAuthTest, BcryptThroughLibcrypt) {
  EXPECT_TRUE(BcryptMatches(kAliceHash, "secret"));
  EXPECT_FALSE(BcryptMatches(kAliceHash, "Secret"));
  EXPECT_FALSE(BcryptMatches(kAliceHash, std::string("secret\0x", 8)));
  // $2b$ and $2a$ spellings of the same hash check the same way.
  std::string b = kAliceHash;
  b[2] = 'b';
  EXPECT_TRUE(BcryptMatches(b, "secret"));
}

TEST(BasicAuthTest, AuthorizationHeader) {
  std::string user;
  std::string password;
  ASSERT_TRUE(ParseBasicAuthorization("Basic YWxpY2U6c2VjcmV0", user, password));
  EXPECT_EQ(user, "alice");
  EXPECT_EQ(password, "secret");
  ASSERT_TRUE(ParseBasicAuthorization("basic YTpiOmM=", user, password));
  EXPECT_EQ(password, "b:c");
  EXPECT_FALSE(ParseBasicAuthorization("Bearer abc", user, password));
  EXPECT_FALSE(ParseBasicAuthorization("Basic !!!!", user, password));
  EXPECT_FALSE(ParseBasicAuthorization("Basic bm9jb2xvbg==", user, password));  // "nocolon"

  BasicAuthenticator authenticator;
  const std::map<std::string, std::string> users = {{"alice", kAliceHash}};
  EXPECT_TRUE(authenticator.Allowed(users, "Basic YWxpY2U6c2VjcmV0"));
  EXPECT_TRUE(authenticator.Allowed(users, "Basic YWxpY2U6c2VjcmV0"));   // cached
  EXPECT_FALSE(authenticator.Allowed(users, "Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  EXPECT_FALSE(authenticator.Allowed(users, "Basic Ym9iOnNlY3JldA=="));  // bob:secret
  EXPECT_FALSE(authenticator.Allowed(users, ""));
}

}  // namespace
}  // namespace portwarden::exporters::http
