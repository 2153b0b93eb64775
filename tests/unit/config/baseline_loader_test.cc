#include <gtest/gtest.h>

#include "agent/config/baseline.h"

namespace portwarden::config {
namespace {

TEST(BaselineLoaderTest, ReadsEntries) {
  auto baseline = ParseBaseline(R"(# comment
[[listener]]
netns = "host"
proto = "tcp"
address = "0.0.0.0"
port = 22
process = "sshd"
reach = "public"   # review only
verdict = "public:drop private:accept"

[[listener]]
netns = "unit:docker-1.scope"
proto = "udp"
address = "::"
port = 53
)",
                                "b.toml");
  ASSERT_TRUE(baseline) << baseline.error().message;
  ASSERT_EQ(baseline->entries.size(), 2U);
  EXPECT_EQ(baseline->entries[0].process, "sshd");
  EXPECT_EQ(baseline->entries[0].line, 2);
  EXPECT_EQ(baseline->entries[1].protocol, Protocol::kUdp);
  EXPECT_FALSE(baseline->entries[1].process);
  EXPECT_EQ(baseline->source, "b.toml");
  // The reviewer's fields are kept (the audit report compares them), absent ones stay absent.
  EXPECT_EQ(baseline->entries[0].reach, "public");
  EXPECT_FALSE(baseline->entries[0].unit);
  EXPECT_FALSE(baseline->entries[1].reach);
  EXPECT_EQ(baseline->entries[0].firewall, "public:drop private:accept");
  EXPECT_FALSE(baseline->entries[1].firewall);
}

struct BadBaseline {
  const char* text;
  const char* error;
};

TEST(BaselineLoaderTest, ErrorsNameFileLineAndColumn) {
  const BadBaseline cases[] = {
      {"[[listener]]\nnetns = \"host\"\nproto = \"sctp\"\naddress = \"::\"\nport = 1\n",
       "b.toml:3:9: listener.proto: must be \"tcp\" or \"udp\""},
      {"[[listener]]\nnetns = \"host\"\nproto = \"tcp\"\naddress = \"::\"\nport = 70000\n",
       "b.toml:5:8: listener.port: 70000 is out of range [0, 65535]"},
      {"[[listener]]\nnetns = \"host\"\nproto = \"tcp\"\naddress = \"::\"\n",
       "b.toml:1:1: listener: missing key \"port\""},
      {"[[listener]]\nnetns = \"host\"\nprot = \"tcp\"\n", "b.toml:3:1: unknown key"},
      {"[[listener]\n", "b.toml:1:"},
      {"listener = 3\n", "b.toml:1:12: listener:"},
  };
  for (const auto& c : cases) {
    auto baseline = ParseBaseline(c.text, "b.toml");
    ASSERT_FALSE(baseline) << c.text;
    EXPECT_NE(baseline.error().message.find(c.error), std::string::npos)
        << baseline.error().message;
  }
}

TEST(BaselineLoaderTest, MissingFileIsAnError) {
  auto baseline = LoadBaselineFile("/nonexistent/baseline.toml");
  ASSERT_FALSE(baseline);
  EXPECT_NE(baseline.error().message.find("/nonexistent/baseline.toml"), std::string::npos);
}

}  // namespace
}  // namespace portwarden::config
