// The bounds on config input: file kind, size, nesting and the length of quoted excerpts.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "agent/config/document_bounds.h"
#include "agent/config/excerpt.h"

namespace portwarden::config {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/portwarden-bounds-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }

  ~TempDir() { std::filesystem::remove_all(path_); }

  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string DottedKey(int parts) {
  std::string text = "a";
  for (int i = 1; i < parts; ++i) {
    text += ".a";
  }
  return text + " = 1\n";
}

TEST(ConfigBoundsTest, EightyKilobytesOfDottedKeysIsAnErrorNotACrash) {
  const std::string text = DottedKey(40000);
  ASSERT_GT(text.size(), 80000u);
  auto config = LoadString(text, "deep.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "deep.toml:1:66: nested more than 32 levels deep (tables, arrays, inline tables and "
            "dotted keys counted together)");
}

TEST(ConfigBoundsTest, NestingUpToTheCapIsAccepted) {
  // toml++ parses it; the loader then names the unknown key.
  auto config = LoadString("[exposure]\n" + DottedKey(kMaxConfigNesting - 1), "ok.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("nested"), std::string::npos) << config.error().message;
  // "a.b.c = 1" nests two tables.
  EXPECT_TRUE(CheckDocumentBounds(DottedKey(kMaxConfigNesting + 1), "ok.toml"));
  EXPECT_FALSE(CheckDocumentBounds(DottedKey(kMaxConfigNesting + 2), "ok.toml"));
}

TEST(ConfigBoundsTest, BracketsInsideStringsAndCommentsDoNotCount) {
  const std::string brackets(100, '[');
  const std::string text = "# " + brackets + "\n[web]\ntelemetry_path = \"/" + brackets +
                           "\"\n# '''\n[agent]\n# " + std::string(100, '.') + "\n";
  EXPECT_TRUE(CheckDocumentBounds(text, "ok.toml"));
  EXPECT_TRUE(CheckDocumentBounds(
      "x = '''" + brackets + "'''\ny = \"\"\"\\\"" + brackets + "\"\"\"\"\n", "ok.toml"));
}

TEST(ConfigBoundsTest, TableHeaderDepthCarriesOverToItsKeys) {
  std::string header = "[" + DottedKey(20).substr(0, 39) + "]\n";
  EXPECT_TRUE(CheckDocumentBounds(header + DottedKey(12), "x.toml"));
  EXPECT_FALSE(CheckDocumentBounds(header + DottedKey(14), "x.toml"));
}

TEST(ConfigBoundsTest, TextAboveTheSizeCapIsRefused) {
  const std::string text(kMaxConfigBytes + 1, '#');
  auto config = LoadString(text, "big.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "big.toml: 4194305 bytes is more than a config file may have (4 MiB)");
}

TEST(ConfigBoundsTest, FileAboveTheSizeCapIsRefusedBeforeReading) {
  TempDir dir;
  const std::string path = dir.File("big.toml");
  std::FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(::ftruncate(::fileno(file), 1LL << 40), 0);  // sparse: 1 TiB, no disk used
  std::fclose(file);
  auto config = LoadFile(path);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            path + ": 1099511627776 bytes is more than a config file may have (4 MiB)");
}

TEST(ConfigBoundsTest, FileAtTheSizeCapIsRead) {
  TempDir dir;
  const std::string path = dir.File("comments.toml");
  {
    std::FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    const std::string line(1023, '#');
    for (std::size_t i = 0; i < kMaxConfigBytes / 1024; ++i) {
      std::fprintf(file, "%s\n", line.c_str());
    }
    std::fclose(file);
  }
  auto config = LoadFile(path);
  EXPECT_TRUE(config) << config.error().message;
}

TEST(ConfigBoundsTest, FilesThatClaimSizeZeroAreReadWhole) {
  // procfs reports st_size 0; the text is still read (and here is not TOML).
  auto config = LoadFile("/proc/self/status");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with("/proc/self/status:1:")) << config.error().message;
}

TEST(ConfigBoundsTest, NonRegularFilesAreRefusedAtOnce) {
  TempDir dir;
  const std::string fifo = dir.File("fifo.toml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto from_fifo = LoadFile(fifo);  // would block in open() or read() without O_NONBLOCK
  auto from_zero = LoadFile("/dev/zero");
  auto from_dir = LoadFile(dir.File(""));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_FALSE(from_fifo);
  EXPECT_EQ(from_fifo.error().message, fifo + ": is a FIFO; a config file must be a regular file");
  ASSERT_FALSE(from_zero);
  EXPECT_EQ(from_zero.error().message,
            "/dev/zero: is a character device; a config file must be a regular file");
  ASSERT_FALSE(from_dir);
  EXPECT_EQ(from_dir.error().message,
            dir.File("") + ": is a directory; a config file must be a regular file");
}

TEST(ConfigBoundsTest, EmptyPathIsAnError) {
  auto config = LoadFile("");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "config file path is empty");
}

TEST(ConfigBoundsTest, AHugeKeyIsQuotedAsABoundedExcerpt) {
  const std::string key(3 * 1024 * 1024, 'k');
  auto config = LoadString(key + " = 1\n", "huge.toml");
  ASSERT_FALSE(config);
  EXPECT_LT(config.error().message.size(), 400u);
  EXPECT_EQ(config.error().message.substr(0, 33), "huge.toml:1:1: unknown key \"kkkkk");
  EXPECT_NE(config.error().message.find("k\xE2\x80\xA6\" in the top level"), std::string::npos);
}

TEST(ExcerptTest, KeepsShortValidTextAndBoundsTheRest) {
  EXPECT_EQ(Excerpt("héllo"), "héllo");
  EXPECT_EQ(Excerpt("abcdef", 3), "abc\xE2\x80\xA6");
  EXPECT_EQ(Excerpt("ééé", 2), "éé\xE2\x80\xA6");  // counts characters, not bytes
  EXPECT_EQ(Excerpt("a\nb\x7f"), "a\\x0ab\\x7f");
  EXPECT_EQ(Excerpt("\xff"
                    "a\xc3"),
            "\xEF\xBF\xBD"
            "a\xEF\xBF\xBD");
  EXPECT_EQ(Excerpt("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(Excerpt("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
  EXPECT_EQ(Quote("x"), "\"x\"");
}

}  // namespace
}  // namespace portwarden::config
