#include "agent/app/cli.h"

#include <gtest/gtest.h>

namespace portwarden::app {
namespace {

TEST(CliTest, DaemonFlagsInBothForms) {
  auto cl = ParseCommandLine({"--config.file=/etc/pw.toml", "--web.listen-address", "[::1]:1",
                              "--web.listen-address=127.0.0.1:2", "--log.level=debug"});
  ASSERT_TRUE(cl) << cl.error().message;
  EXPECT_EQ(cl->command, Command::kDaemon);
  EXPECT_EQ(cl->config_file, "/etc/pw.toml");
  EXPECT_EQ(cl->listen_addresses, (std::vector<std::string>{"[::1]:1", "127.0.0.1:2"}));
  EXPECT_EQ(cl->log_level, "debug");
}

TEST(CliTest, CollectorFlagsInOrder) {
  auto cl = ParseCommandLine({"--no-collector.tls_chain", "--collector.disable-defaults",
                              "--collector.tls", "--no-collector.tls"});
  ASSERT_TRUE(cl) << cl.error().message;
  using Toggle = std::pair<std::string, bool>;
  EXPECT_EQ(cl->collectors,
            (std::vector<Toggle>{
                {"tls_chain", false}, {"disable-defaults", true}, {"tls", true}, {"tls", false}}));
  auto valued = ParseCommandLine({"--collector.tls=false"});
  ASSERT_FALSE(valued);
  EXPECT_EQ(valued.error().message, "flag --collector.tls takes no value");
  EXPECT_FALSE(ParseCommandLine({"--collector."}));  // no name: an unknown flag
}

TEST(CliTest, Subcommands) {
  auto scan = ParseCommandLine({"scan", "--output=json", "--fail-on-violation"});
  ASSERT_TRUE(scan);
  EXPECT_EQ(scan->command, Command::kScan);
  EXPECT_EQ(scan->output, "json");
  EXPECT_TRUE(scan->fail_on_violation);
  auto probe =
      ParseCommandLine({"probe", "example.com:443", "--server-name", "x", "--warn-days=30"});
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->probe_target, "example.com:443");
  EXPECT_EQ(probe->server_name, "x");
  EXPECT_EQ(probe->warn_days, 30);
}

TEST(CliTest, BaselineSaveAndScanBaseline) {
  auto save = ParseCommandLine({"baseline", "save", "/tmp/b.toml", "--config.file=/etc/pw.toml"});
  ASSERT_TRUE(save) << save.error().message;
  EXPECT_EQ(save->command, Command::kBaselineSave);
  EXPECT_EQ(save->baseline_file, "/tmp/b.toml");
  auto scan = ParseCommandLine({"scan", "--baseline=/tmp/b.toml", "--connections"});
  ASSERT_TRUE(scan) << scan.error().message;
  EXPECT_EQ(scan->baseline_file, "/tmp/b.toml");
  EXPECT_TRUE(scan->connections);
  EXPECT_EQ(ParseCommandLine({"baseline"}).error().message,
            "baseline: usage: portwarden baseline save FILE");
  EXPECT_EQ(ParseCommandLine({"baseline", "save"}).error().message,
            "baseline: usage: portwarden baseline save FILE");
  EXPECT_EQ(ParseCommandLine({"baseline", "load", "x"}).error().message,
            "baseline: unknown action \"load\" (usage: portwarden baseline save FILE)");
  EXPECT_EQ(ParseCommandLine({"baseline", "save", "a", "b"}).error().message,
            "unexpected argument \"b\"");
}

TEST(CliTest, ErrorsNameTheFlag) {
  EXPECT_EQ(ParseCommandLine({"--web.listen-adress=:1"}).error().message,
            "unknown flag --web.listen-adress (see --help)");
  EXPECT_EQ(ParseCommandLine({"--config.file"}).error().message,
            "flag --config.file needs a value");
  EXPECT_EQ(ParseCommandLine({"--config.check=yes"}).error().message,
            "flag --config.check takes no value");
  EXPECT_EQ(ParseCommandLine({"scan", "--output=xml"}).error().message,
            "flag --output: must be \"table\" or \"json\", got \"xml\"");
  EXPECT_EQ(ParseCommandLine({"probe"}).error().message,
            "probe: missing target (usage: portwarden probe host:port)");
  EXPECT_EQ(ParseCommandLine({"frobnicate"}).error().message,
            "unknown command \"frobnicate\" (commands: scan, probe, baseline, report; see --help)");
}

TEST(CliTest, PlainHttpCompanionImpliesHttp) {
  auto probe = ParseCommandLine({"probe", "[::1]:8443", "--plain-http-companion=8080"});
  ASSERT_TRUE(probe) << probe.error().message;
  EXPECT_EQ(probe->plain_http_companion, std::optional<std::uint16_t>(8080));
  EXPECT_TRUE(probe->http);
  EXPECT_EQ(ParseCommandLine({"probe", "a:443", "--plain-http-companion=0"}).error().message,
            "flag --plain-http-companion: must be a port from 1 to 65535");
  EXPECT_EQ(ParseCommandLine({"probe", "a:443", "--plain-http-companion=x"}).error().message,
            "flag --plain-http-companion: expected a non-negative integer, got \"x\"");
}

TEST(CliTest, EmptyConfigFileIsAnError) {
  EXPECT_EQ(ParseCommandLine({"--config.file="}).error().message,
            "flag --config.file: path is empty (omit the flag for the built-in defaults)");
  EXPECT_FALSE(ParseCommandLine({"--config.file", "", "--config.check"}));
}

TEST(CliTest, ListenAddressesAreParsedAsTheServerWouldBindThem) {
  for (const char* bad : {":99999", "host:port:extra", "[::1]:19443x", "19443", "::1:19443"}) {
    auto cl = ParseCommandLine({std::string("--web.listen-address=") + bad});
    ASSERT_FALSE(cl) << bad;
    EXPECT_TRUE(cl.error().message.starts_with("flag --web.listen-address: invalid address \""))
        << cl.error().message;
  }
  for (const char* good : {":0", "127.0.0.1:19443", "[::1]:19443", "localhost:1"}) {
    EXPECT_TRUE(ParseCommandLine({std::string("--web.listen-address=") + good})) << good;
  }
}

TEST(CliTest, HelpAndVersionWin) {
  EXPECT_EQ(ParseCommandLine({"--version", "--bogus"})->command, Command::kVersion);
  EXPECT_EQ(ParseCommandLine({"-h"})->command, Command::kHelp);
}

}  // namespace
}  // namespace portwarden::app

namespace portwarden::app {
namespace {

TEST(CliScanFilterTest, PortArgumentForms) {
  auto colon = ParseCommandLine({"scan", ":18443"});
  ASSERT_TRUE(colon) << colon.error().message;
  ASSERT_EQ(colon->filter.ports.size(), 1u);
  EXPECT_EQ(colon->filter.ports[0].first, 18443);
  auto address = ParseCommandLine({"scan", "[::1]:443"});
  ASSERT_TRUE(address);
  EXPECT_EQ(address->filter.address, "::1");
  auto ranges = ParseCommandLine({"scan", "--port=443,8000-8100", "--proto=udp", "--violations",
                                  "--netns=pod-*", "--process=nginx"});
  ASSERT_TRUE(ranges) << ranges.error().message;
  ASSERT_EQ(ranges->filter.ports.size(), 2u);
  EXPECT_EQ(ranges->filter.ports[1].last, 8100);
  EXPECT_EQ(ranges->filter.protocol, Protocol::kUdp);
  EXPECT_TRUE(ranges->filter.violations_only);
  EXPECT_EQ(ranges->filter.netns, "pod-*");
  EXPECT_FALSE(ranges->filter.empty());
  EXPECT_TRUE(ParseCommandLine({"scan"})->filter.empty());
}

TEST(CliScanFilterTest, BadValuesNameTheFlag) {
  EXPECT_NE(ParseCommandLine({"scan", "--port=0"}).error().message.find("flag --port"),
            std::string::npos);
  EXPECT_NE(ParseCommandLine({"scan", "--port=9-8"}).error().message.find("flag --port"),
            std::string::npos);
  EXPECT_NE(ParseCommandLine({"scan", "--proto=sctp"}).error().message.find("flag --proto"),
            std::string::npos);
  EXPECT_NE(ParseCommandLine({"scan", "host:"}).error().message.find("scan:"), std::string::npos);
}

TEST(CliReportTest, FormatSourceAndOutput) {
  auto cl = ParseCommandLine(
      {"report", "--format=csv", "--from=http://127.0.0.1:19443", "-o", "audit.csv"});
  ASSERT_TRUE(cl) << cl.error().message;
  EXPECT_EQ(cl->command, Command::kReport);
  EXPECT_EQ(cl->report_format, "csv");
  EXPECT_EQ(cl->from_url, "http://127.0.0.1:19443");
  EXPECT_EQ(cl->output_file, "audit.csv");
  EXPECT_FALSE(ParseCommandLine({"report", "--format=pdf"}));
  EXPECT_FALSE(ParseCommandLine({"report", "--from=ftp://host"}));
  EXPECT_FALSE(ParseCommandLine({"report", "-o"}));
  EXPECT_TRUE(ParseCommandLine({"probe", "a:443", "--show-certs"})->show_certs);
}

}  // namespace
}  // namespace portwarden::app
