// Name resolution under the probe's deadline, against a DNS server that never answers: the
// real binary runs in a private mount namespace whose /etc/resolv.conf names a UDP socket the
// test holds and never reads (glibc would wait 30 s for it), and whose /etc/hosts lacks the
// name. The real /etc files are never touched.
#include <gtest/gtest.h>

#include "tests/integration/probe/name_isolation.h"
#include "tests/integration/probe/probe_helpers.h"
#include "tests/lib/privilege.h"

namespace portwarden::testing {
namespace {

constexpr char kUnanswered[] = "never-answers.portwarden.test";

class ProbeResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NameIsolation::Available()) {
      PORTWARDEN_SKIP_UNPRIVILEGED("needs root, unshare -m and bind mounts");
    }
    if (dns_.ip().empty()) {
      GTEST_SKIP() << "no loopback address's port 53 is free";
    }
    isolation_ = std::make_unique<NameIsolation>("127.0.0.1 localhost\n",
                                                 NameIsolation::ResolvConfFor(dns_.ip()));
  }

  SilentDnsServer dns_;
  std::unique_ptr<NameIsolation> isolation_;
};

TEST_F(ProbeResolveTest, SilentResolverEndsTheProbeAtItsDeadline) {
  const CommandRun run =
      RunCommand(isolation_->Wrap({PORTWARDEN_BINARY, "probe", std::string(kUnanswered) + ":443",
                                   "--timeout=1s", "--output=json"}),
                 std::chrono::seconds(40));
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_NE(run.output.find("\"failure_reason\":\"dns_timeout\""), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("\"failure_phase\":\"resolve\""), std::string::npos);
  EXPECT_NE(run.output.find("no answer from the resolver before the deadline"), std::string::npos);
  EXPECT_GE(run.seconds, 0.9);
  EXPECT_LT(run.seconds, 3.5);  // 1 s deadline, slack for start-up; glibc alone waits 30 s.
  EXPECT_GE(dns_.QueriesReceived(), 1);  // The name really went to the silent server.
}

TEST_F(ProbeResolveTest, UnansweredNameFailsAloneAndShowsInMetrics) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const std::string healthy = "127.0.0.1:" + std::to_string(server.port());
  const std::string unanswered = std::string(kUnanswered) + ":443";
  AgentDaemon agent(
      "[agent]\nprobe_interval = \"1h\"\nprobe_timeout = \"1s\"\njitter = 0.0\n"
      "[discovery]\nenabled = false\n"
      "[[endpoints]]\ntarget = \"" +
          unanswered +
          "\"\n"
          "[[endpoints]]\ntarget = \"" +
          healthy +
          "\"\nserver_name = \"localhost\"\n"
          "ca_file = \"" +
          t.root.pem + "\"\n",
      isolation_.get());
  const std::string page = agent.MetricsOnceProbed({unanswered, healthy});
  const auto failures = SeriesOf(page, "portwarden_tls_probe_failures_total", unanswered);
  ASSERT_EQ(failures.size(), 1U) << page;
  EXPECT_EQ(LabelOf(failures[0], "reason"), "dns_timeout");
  EXPECT_EQ(LabelOf(failures[0], "address"), "");
  const auto phases = SeriesOf(page, "portwarden_tls_probe_duration_seconds", unanswered);
  ASSERT_EQ(phases.size(), 1U) << page;
  EXPECT_EQ(LabelOf(phases[0], "phase"), "resolve");
  EXPECT_GE(ValueOf(phases[0]), 0.95);
  EXPECT_LT(ValueOf(phases[0]), 1.5);
  const auto success = SeriesOf(page, "portwarden_tls_probe_success", healthy);
  ASSERT_EQ(success.size(), 1U) << page;
  EXPECT_EQ(ValueOf(success[0]), 1);
}

// Resolution and probing are pipelined: a name stuck in its resolver costs its own deadline
// and does not delay the start of anyone else's probe.
TEST_F(ProbeResolveTest, UnansweredNameHoldsBackNoOtherTargetsStart) {
  const TestPki& t = SharedPki();
  TlsServer server(t.leaf, {"-cert_chain", t.intermediate_chain});
  const std::string healthy = "127.0.0.1:" + std::to_string(server.port());
  const std::string unanswered = std::string(kUnanswered) + ":443";
  AgentDaemon agent(
      "[agent]\nprobe_interval = \"1h\"\nprobe_timeout = \"4s\"\njitter = 0.0\n"
      "[discovery]\nenabled = false\n[[endpoints]]\ntarget = \"" +
          unanswered + "\"\n[[endpoints]]\ntarget = \"" + healthy +
          "\"\nserver_name = \"localhost\"\nca_file = \"" + t.root.pem + "\"\n",
      isolation_.get());
  const std::string page = agent.MetricsOnceProbed({unanswered, healthy});
  const auto name_done = SeriesOf(page, "portwarden_tls_probe_timestamp_seconds", unanswered);
  const auto healthy_done = SeriesOf(page, "portwarden_tls_probe_timestamp_seconds", healthy);
  ASSERT_EQ(name_done.size(), 1U) << page;
  ASSERT_EQ(healthy_done.size(), 1U) << page;
  // The healthy probe ended seconds before the name gave up (it used to start only then).
  EXPECT_GT(ValueOf(name_done[0]) - ValueOf(healthy_done[0]), 3.0);
  EXPECT_EQ(ValueOf(SeriesOf(page, "portwarden_tls_probe_success", healthy).at(0)), 1);
}

TEST_F(ProbeResolveTest, ShutdownIsPromptWhileANameIsResolving) {
  AgentDaemon agent(
      "[agent]\nprobe_interval = \"1h\"\nprobe_timeout = \"30s\"\njitter = 0.0\n"
      "[discovery]\nenabled = false\n[[endpoints]]\ntarget = \"" +
          std::string(kUnanswered) + ":443\"\n",
      isolation_.get());
  // Wait until the agent's lookup has reached the silent server: the probe now hangs in
  // resolution, where only Cancel() can end it before its 30 s deadline.
  for (int i = 0; i < 100 && dns_.QueriesReceived() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(dns_.QueriesReceived(), 1) << agent.Log();
  EXPECT_LT(agent.Stop(), 1.5);
  const std::string log = agent.Log();
  EXPECT_EQ(log.find("Collection still running"), std::string::npos) << log;
  EXPECT_NE(log.find("Stopped"), std::string::npos) << log;
}

}  // namespace
}  // namespace portwarden::testing
