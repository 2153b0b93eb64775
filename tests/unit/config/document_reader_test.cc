// The one reading path of TOML documents (document_reader.h): the config and the baseline get
// the same parse, bounds and file errors from it.
#include "agent/config/document_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "agent/config/baseline.h"
#include "agent/config/config.h"

namespace portwarden::config {
namespace {

TEST(DocumentReaderTest, ParseErrorNamesFileLineAndColumn) {
  auto root = ParseTomlDocument("a = 1\n[b\n", "doc.toml");
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().message.rfind("doc.toml:2:", 0), 0U) << root.error().message;
  // The config and the baseline say exactly the same about the same bytes.
  EXPECT_EQ(LoadString("a = 1\n[b\n", "doc.toml").error().message, root.error().message);
  EXPECT_EQ(ParseBaseline("a = 1\n[b\n", "doc.toml").error().message, root.error().message);
}

TEST(DocumentReaderTest, BoundsAreCheckedBeforeParsing) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  auto root = ParseTomlDocument("a = " + deep + "\n", "deep.toml");
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().message.find("deep.toml:1:"), std::string::npos);
  EXPECT_NE(root.error().message.find("nested more than"), std::string::npos)
      << root.error().message;
  EXPECT_EQ(ParseBaseline("a = " + deep + "\n", "deep.toml").error().message, root.error().message);
}

TEST(DocumentReaderTest, ValidDocumentParses) {
  auto root = ParseTomlDocument("[agent]\nscan_interval = \"5s\"\n", "ok.toml");
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_NE(root->get("agent"), nullptr);
}

TEST(DocumentReaderTest, FifoIsRefusedForConfigAndBaselineAlike) {
  char pattern[] = "/tmp/portwarden-docreader-XXXXXX";
  const std::string dir = ::mkdtemp(pattern);
  const std::string fifo = dir + "/fifo.toml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto text = ReadBoundedFile(fifo);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, fifo + ": is a FIFO; a config file must be a regular file");
  EXPECT_EQ(LoadBaselineFile(fifo).error().message, text.error().message);
  std::filesystem::remove_all(dir);
}

TEST(DocumentReaderTest, BoundedMessageCutsLongErrors) {
  const Result<int> long_error = Fail(std::string(5000, 'x'));
  const auto bounded = BoundedMessage(long_error);
  ASSERT_FALSE(bounded);
  EXPECT_LT(bounded.error().message.size(), 1100U);
  EXPECT_EQ(BoundedMessage(Result<int>(7)).value(), 7);
}

}  // namespace
}  // namespace portwarden::config
