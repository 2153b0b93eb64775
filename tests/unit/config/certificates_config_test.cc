// [[certificates]]: accepted values, and each rejection with its exact message and position.
#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "bad_config_table.h"

namespace portwarden::config {
namespace {

TEST(CertificatesConfigTest, SourcesAreReadInOrder) {
  auto config = LoadString(R"(
[[certificates]]
name = "letsencrypt"
paths = ["/etc/letsencrypt/live/*/fullchain.pem", "/etc/ssl/certs/site.crt"]

[[certificates]]
paths = ["/opt/tomcat/conf/keystore.jks"]
password_file = "/etc/portwarden/keystore.pass"
)",
                           "ok.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->certificates.size(), 2U);
  EXPECT_EQ(config->certificates[0].name, "letsencrypt");
  EXPECT_EQ(config->certificates[0].paths.size(), 2U);
  EXPECT_EQ(config->certificates[0].password_file, "");
  EXPECT_EQ(config->certificates[1].paths[0], "/opt/tomcat/conf/keystore.jks");
  EXPECT_EQ(config->certificates[1].password_file, "/etc/portwarden/keystore.pass");
}

TEST(CertificatesConfigTest, NoneByDefault) {
  EXPECT_TRUE(Defaults().certificates.empty());
}

using testing_support::BadConfig;

class BadCertificatesConfigTest : public testing_support::BadConfigTable {};

TEST_P(BadCertificatesConfigTest, IsRejectedWithExactMessage) {
  ExpectRejectedWithExactMessage();
}

const BadConfig kBadCertificates[] = {
    {"NotATableArray", "certificates = 1\n",
     "bad.toml:1:16: certificates: expected an array of tables ([[certificates]]), got integer"},
    {"MissingPaths", "[[certificates]]\nname = \"x\"\n",
     "bad.toml:1:1: certificates: missing required key \"paths\""},
    {"UnknownKey", "[[certificates]]\npaths = [\"/a.pem\"]\npasword_file = \"/p\"\n",
     "bad.toml:3:1: unknown key \"pasword_file\" in [[certificates]] (allowed: name, paths, "
     "password_file)"},
    {"EmptyPaths", "[[certificates]]\npaths = []\n",
     "bad.toml:2:9: certificates.paths: must not be empty"},
    {"RelativePath", "[[certificates]]\npaths = [\"/a.pem\", \"certs/b.pem\"]\n",
     "bad.toml:2:9: certificates.paths: must be absolute paths, got \"certs/b.pem\""},
    {"PathNotAString", "[[certificates]]\npaths = [\"/a.pem\", 3]\n",
     "bad.toml:2:20: certificates.paths: expected a string, got integer"},
    {"RelativePasswordFile", "[[certificates]]\npaths = [\"/a.p12\"]\npassword_file = \"pass\"\n",
     "bad.toml:3:17: certificates.password_file: must be an absolute path"},
    {"DuplicateName",
     "[[certificates]]\nname = \"a\"\npaths = [\"/a\"]\n[[certificates]]\nname = \"a\"\npaths = "
     "[\"/b\"]\n",
     "bad.toml:4:1: certificates.name: duplicate name \"a\""},
};

INSTANTIATE_TEST_SUITE_P(Table,
                         BadCertificatesConfigTest,
                         testing::ValuesIn(kBadCertificates),
                         testing_support::BadConfigName);

}  // namespace
}  // namespace portwarden::config
