// Process strings from a fake /proc tree (mock: a process whose exe path or cgroup holds
// arbitrary bytes cannot be made on demand here): what the resolver reports is valid UTF-8,
// bounded, with U+FFFD for each ill-formed sequence.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/core/text_sanitize.h"
#include "agent/core/utf8.h"
#include "agent/inventory/process_resolver.h"
#include "agent/inventory/procfs_fd_walker.h"

namespace portwarden::inventory {
namespace {

namespace fs = std::filesystem;

const std::string kFffd = "\xEF\xBF\xBD";

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ProcessStringsTest, CommExeAndUnitAreSanitizedAtTheSource) {
  const fs::path root =
      fs::temp_directory_path() / ("pw_proc_strings_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path dir = root / "100";
  fs::create_directories(dir / "fd");
  std::string stat = "100 (x) S";
  for (int field = 4; field <= 22; ++field) {
    stat += " " + std::to_string(field);
  }
  Write(dir / "stat", stat + "\n");
  Write(dir / "comm", std::string("bad\xFF\xFE\x1b[31m\0", 11) + "\n");
  Write(dir / "cgroup", "0::/user.slice/evil\xC0\xAF\x1b]0;x\x07.service\n");
  std::string exe = "/opt";
  for (int i = 0; i < 19; ++i) {
    exe += "/" + std::string(200, 'p');  // 3.8 KB: a symlink target holds at most 4095 bytes
  }
  fs::create_symlink(exe + "\xFF", dir / "exe");
  fs::create_symlink("socket:[4242]", dir / "fd" / "3");

  ProcessResolver resolver(std::make_unique<ProcfsFdWalker>(root.string()));
  ResolveStats stats;
  const std::vector<std::uint64_t> inodes{4242};
  const auto owner = resolver.Resolve(inodes, stats).Find(4242);
  fs::remove_all(root);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->comm, "bad" + kFffd + kFffd + "\x1b[31m" + kFffd);
  EXPECT_EQ(owner->unit, "evil" + kFffd + kFffd + "\x1b]0;x\x07.service");
  EXPECT_TRUE(utf8::IsValid(owner->exe));
  EXPECT_EQ(owner->exe.size(), text::MaxBytes(text::Kind::kExePath));
  EXPECT_TRUE(owner->exe.ends_with(text::kTruncationMark));
}

}  // namespace
}  // namespace portwarden::inventory
