// The daemon with an endpoint that hangs mid-probe: it must still shut down promptly, because
// the engine cancels the probe cycle in flight.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/probe/probe_helpers.h"

namespace portwarden::testing {
namespace {

TEST(ProbeDaemonTest, ShutdownIsPromptWithAProbeHanging) {
  RawServer silent(RawServer::Mode::kSilent);
  TempDir dir;
  const std::uint16_t web = ClosedPort();
  std::ofstream(dir.path() + "/agent.toml")
      << "[agent]\nscan_interval = \"1h\"\nprobe_interval = \"1h\"\nprobe_timeout = \"30s\"\n"
      << "jitter = 0.0\n[discovery]\nenabled = false\n[[endpoints]]\ntarget = \"127.0.0.1:"
      << silent.port() << "\"\nserver_name = \"localhost\"\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int log = ::open((dir.path() + "/agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(log, STDERR_FILENO);
    const std::string config = "--config.file=" + dir.path() + "/agent.toml";
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(web);
    ::execl(PORTWARDEN_BINARY, PORTWARDEN_BINARY, config.c_str(), listen.c_str(), nullptr);
    ::_exit(127);
  }
  std::string page;
  for (int i = 0; i < 100 && page.find("portwarden_build_info") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    page = Shell("curl -s http://127.0.0.1:" + std::to_string(web) + "/metrics || true");
  }
  ASSERT_NE(page.find("portwarden_build_info"), std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // The probe is now hanging.
  const auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (::waitpid(pid, &status, WNOHANG) == 0 && seconds >= 10) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  EXPECT_LT(seconds, 1.5);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  // The daemon's last resort (_exit after a grace period) must not have been needed: the
  // engine cancelled the hanging probe and stopped cleanly.
  std::stringstream log;
  log << std::ifstream(dir.path() + "/agent.log").rdbuf();
  EXPECT_NE(log.str().find("127.0.0.1:" + std::to_string(silent.port())), std::string::npos)
      << "the probe never started:\n"
      << log.str();
  EXPECT_EQ(log.str().find("Collection still running"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("Stopped"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace portwarden::testing
