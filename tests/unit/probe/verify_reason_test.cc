// The OpenSSL verify codes mapped onto the closed set of `verify_result` values.
#include "agent/probe/verify_reason.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

namespace portwarden::probe {
namespace {

TEST(VerifyReasonTest, MapsOpenSslCodesOntoTheClosedSet) {
  EXPECT_EQ(VerifyResultName(X509_V_OK), "ok");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_HAS_EXPIRED), "expired");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_NOT_YET_VALID), "not_yet_valid");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT), "self_signed");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN), "self_signed_in_chain");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY), "untrusted");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_HOSTNAME_MISMATCH), "hostname_mismatch");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_CERT_REVOKED), "revoked");
  EXPECT_EQ(VerifyResultName(X509_V_ERR_OUT_OF_MEM), "other");
  const auto all = AllVerifyResults();
  for (long code = 0; code < 100; ++code) {
    EXPECT_NE(std::find(all.begin(), all.end(), VerifyResultName(code)), all.end()) << code;
  }
}

}  // namespace
}  // namespace portwarden::probe
