// `portwarden probe host:port` as a user runs it: the real binary against a real server.
#include <sys/wait.h>

#include <cstdio>

#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun Portwarden(const std::string& args) {
  CliRun run;
  FILE* pipe = ::popen((std::string(PORTWARDEN_BINARY) + " probe " + args + " 2>&1").c_str(), "r");
  char buffer[4096];
  while (pipe != nullptr && std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
    run.output += buffer;
  }
  const int status = pipe != nullptr ? ::pclose(pipe) : -1;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(ProbeCliTest, HealthyEndpointExitsZeroWithReadableReport) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const CliRun run = Portwarden("127.0.0.1:" + std::to_string(server.port()) +
                                " --server-name localhost --ca-file " + t.root.pem);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find(": OK\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("verify: ok"), std::string::npos);
  EXPECT_NE(run.output.find("[0] localhost  (issuer Test Intermediate)"), std::string::npos);
  EXPECT_NE(run.output.find("[1] Test Intermediate  (issuer Test Root CA)"), std::string::npos);
  EXPECT_NE(run.output.find("days left"), std::string::npos);
  EXPECT_NE(run.output.find("handshake"), std::string::npos);
}

TEST(ProbeCliTest, ExpiringLeafFailsUnderWarnDays) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_expiring, {"-cert_chain", t.intermediate_chain});
  const std::string base = "127.0.0.1:" + std::to_string(server.port()) +
                           " --server-name localhost --ca-file " + t.root.pem;
  EXPECT_EQ(Portwarden(base).exit_code, 4);  // 3 days left < 14
  EXPECT_EQ(Portwarden(base + " --warn-days 2").exit_code, 0);
  const CliRun json = Portwarden(base + " --output=json --warn-days 2");
  EXPECT_NE(json.output.find("\"not_after\":" + std::to_string(t.leaf_expiring.not_after)),
            std::string::npos)
      << json.output;
  EXPECT_NE(json.output.find("\"verify_result\":\"ok\""), std::string::npos);
}

TEST(ProbeCliTest, UntrustedChainFailsAndSaysWhy) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf_expired, {"-cert_chain", t.intermediate_chain});
  const CliRun run = Portwarden("127.0.0.1:" + std::to_string(server.port()) +
                                " --server-name localhost --ca-file " + t.root.pem);
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.output.find("verify: expired at chain_pos 0 (certificate has expired)"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("EXPIRED"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::testing
