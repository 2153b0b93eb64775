// `portwarden baseline save FILE`: one inventory and policy pass, written as the approved
// baseline, atomically (a temporary file in the same directory, fsync, rename).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "agent/app/commands.h"
#include "agent/app/config_source.h"
#include "agent/core/unique_fd.h"
#include "agent/discovery/discovery.h"
#include "agent/firewall/firewall.h"
#include "agent/inventory/inventory.h"
#include "agent/policy/baseline.h"
#include "agent/policy/policy.h"

namespace portwarden::app {
namespace {

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Status WriteAll(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::unexpected(ErrnoError(errno, "write"));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Readers see the old file or the new one, never half of one.
Status WriteAtomically(const std::string& path, const std::string& text) {
  std::string temp = path + ".tmp.XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, temp + ": cannot create"));
  }
  auto status = WriteAll(fd.get(), text);
  if (status && ::fchmod(fd.get(), 0644) != 0) {
    status = std::unexpected(ErrnoError(errno, temp + ": chmod"));
  }
  if (status && ::fsync(fd.get()) != 0) {
    status = std::unexpected(ErrnoError(errno, temp + ": fsync"));
  }
  if (status && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = std::unexpected(ErrnoError(errno, path + ": rename"));
  }
  if (!status) {
    ::unlink(temp.c_str());
  }
  return status;
}

}  // namespace

int RunBaselineSave(const CommandLine& cl) {
  auto config = LoadConfig(cl);
  if (!config) {
    std::fprintf(stderr, "portwarden: error: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  inventory::Inventory inventory(inventory::InventorySettingsFrom(*config));
  const inventory::InventoryReport report = inventory.Scan();
  if (!report.success) {
    std::fprintf(stderr, "portwarden: scan failed: %s\n", report.error.c_str());
    return kExitFailure;
  }
  firewall::FirewallStage stage;
  const firewall::FirewallReport firewall = stage.Assess(report);
  const policy::PolicyReport verdicts =
      policy::EvaluateOnce(report, policy::PolicySettingsFrom(*config), &firewall);
  const std::string text = policy::BaselineText(
      report.listeners, verdicts.verdicts, discovery::HostName(), UtcNow(), firewall.listeners);
  if (auto written = WriteAtomically(cl.baseline_file, text); !written) {
    std::fprintf(stderr, "portwarden: error: baseline: %s\n", written.error().message.c_str());
    return kExitFailure;
  }
  std::fprintf(stderr, "portwarden: baseline of %zu listeners written to %s\n",
               report.listeners.size(), cl.baseline_file.c_str());
  return kExitOk;
}

}  // namespace portwarden::app
