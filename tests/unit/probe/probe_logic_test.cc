// Pure pieces of the prober: reason mapping, HSTS parsing, the bounded pool.
// (Resolution against a resolver that never answers: tests/integration/probe.)
#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "agent/probe/failure_reason.h"
#include "agent/probe/http_check.h"
#include "agent/probe/prober_pool.h"
#include "agent/probe/verify_reason.h"

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

TEST(FailureReasonTest, ClosedSetHasNoDuplicates) {
  const auto all = failure::All();
  EXPECT_EQ(std::set<std::string_view>(all.begin(), all.end()).size(), all.size());
  EXPECT_NE(std::find(all.begin(), all.end(), "connect_refused"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "dns_timeout"), all.end());
}

TEST(HstsTest, ParsesMaxAge) {
  EXPECT_EQ(ParseHstsMaxAge(" max-age=31536000; includeSubDomains\r\n"),
            std::optional<double>(31536000));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains; Max-Age = \"600\""), std::optional<double>(600));
  EXPECT_EQ(ParseHstsMaxAge("includeSubDomains"), std::nullopt);
  EXPECT_EQ(ParseHstsMaxAge("max-age=abc"), std::nullopt);
}

TEST(ProberPoolTest, RunsEveryJobOnceWithinTheBound) {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::atomic<int>> runs(40);
  WorkerPool pool;
  pool.Run(runs.size(), 4, [&](std::size_t i) {
    const int now = ++running;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++runs[i];
    --running;
  });
  for (const auto& count : runs) {
    EXPECT_EQ(count.load(), 1);
  }
  EXPECT_LE(peak.load(), 4);
  EXPECT_GE(peak.load(), 2);
}

}  // namespace
}  // namespace portwarden::probe
