// The collector on real files: globs, passwords, change detection, hostile paths.
#include "agent/certfiles/cert_file_collector.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cert_files_env.h"

namespace portwarden::certfiles {
namespace {

namespace fs = std::filesystem;
using testing_support::CertFilesDir;
using testing_support::ReadGenerated;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/portwarden-certfiles-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }

  ~TempDir() { fs::remove_all(path_); }

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return path_ + "/" + name; }

  void Write(const std::string& name, const std::string& bytes) const {
    std::ofstream(File(name), std::ios::binary) << bytes;
  }

 private:
  std::string path_;
};

config::CertificateSourceConfig Source(std::vector<std::string> paths, std::string password = "") {
  return {"", std::move(paths), std::move(password)};
}

std::map<std::string, std::string> Reasons(const CertFileReport& report) {
  std::map<std::string, std::string> out;
  for (const auto& error : report.errors) {
    out[error.path] = std::string(FileErrorName(error.reason));
  }
  return out;
}

TEST(CertFileCollectorTest, GlobsPasswordsAndFormats) {
  const std::string dir = CertFilesDir();
  CertFileCollector collector;
  const auto report =
      collector.Collect({Source({dir + "/chain.*", dir + "/leaf.der"}),
                         Source({dir + "/*.jks", dir + "/bundle.p12"}, dir + "/password.txt")});
  EXPECT_EQ(report.files, 5U);  // chain.der, chain.pem, leaf.der, keystore.jks, bundle.p12
  EXPECT_TRUE(report.errors.empty()) << report.errors[0].path << " " << report.errors[0].detail;
  std::map<std::string, int> per_file;
  for (const auto& cert : report.certificates) {
    EXPECT_EQ(cert.index, per_file[cert.path]++);
  }
  EXPECT_EQ(per_file[dir + "/chain.pem"], 2);
  EXPECT_EQ(per_file[dir + "/leaf.der"], 1);
  EXPECT_EQ(per_file[dir + "/keystore.jks"], 3);
  EXPECT_EQ(per_file[dir + "/bundle.p12"], 2);
}

TEST(CertFileCollectorTest, AFileNamedTwiceIsReportedOnce) {
  const std::string path = CertFilesDir() + "/leaf.der";
  CertFileCollector collector;
  const auto report = collector.Collect({Source({path, path}), Source({path})});
  EXPECT_EQ(report.files, 1U);
  EXPECT_EQ(report.certificates.size(), 1U);
}

TEST(CertFileCollectorTest, OverlappingSourcesGiveEachErrorOnce) {
  TempDir dir;
  const std::string pattern = dir.File("none*.pem");
  CertFileCollector collector;
  const auto report = collector.Collect(
      {Source({pattern, dir.File("gone.pem")}), Source({pattern, dir.File("gone.pem")})});
  EXPECT_EQ(report.errors.size(), 2U);
}

TEST(CertFileCollectorTest, UnchangedFilesAreNotParsedAgain) {
  TempDir dir;
  dir.Write("site.pem", ReadGenerated("leaf.pem"));
  CertFileCollector collector;
  const std::vector sources{Source({dir.File("*.pem")})};
  EXPECT_EQ(collector.Collect(sources).files_parsed, 1U);
  EXPECT_EQ(collector.Collect(sources).files_parsed, 0U);
  // A renewal as certbot and most deploy tools do it: a new file renamed over the old one.
  dir.Write("site.pem.new", ReadGenerated("chain.pem"));
  fs::rename(dir.File("site.pem.new"), dir.File("site.pem"));
  const auto renewed = collector.Collect(sources);
  EXPECT_EQ(renewed.files_parsed, 1U);
  EXPECT_EQ(renewed.certificates.size(), 2U);
}

TEST(CertFileCollectorTest, AChangedPasswordFileRereadsTheKeystore) {
  TempDir dir;
  dir.Write("pass", "wrong\n");
  CertFileCollector collector;
  const std::vector sources{Source({CertFilesDir() + "/bundle.p12"}, dir.File("pass"))};
  EXPECT_EQ(Reasons(collector.Collect(sources)).begin()->second, "bad_password");
  dir.Write("pass.new", "changeit\r\n");
  fs::rename(dir.File("pass.new"), dir.File("pass"));
  const auto report = collector.Collect(sources);
  EXPECT_TRUE(report.errors.empty());
  EXPECT_EQ(report.certificates.size(), 2U);
}

TEST(CertFileCollectorTest, HostileFilesAreErrorsNotHangs) {
  TempDir dir;
  fs::create_directory(dir.File("a_directory"));
  ASSERT_EQ(::symlink(dir.File("loop_b").c_str(), dir.File("loop_a").c_str()), 0);
  ASSERT_EQ(::symlink(dir.File("loop_a").c_str(), dir.File("loop_b").c_str()), 0);
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  { std::ofstream huge(dir.File("huge.pem")); }
  fs::resize_file(dir.File("huge.pem"), 1ULL << 40);  // sparse: 1 TiB, no disk used
  dir.Write("garbage.crt", "\x01\x02 not a certificate");
  dir.Write("empty.pem", "");
  dir.Write("truncated.jks", ReadGenerated("keystore.jks").substr(0, 100));
  dir.Write("key.pem", ReadGenerated("key_only.pem"));
  const auto start = std::chrono::steady_clock::now();
  CertFileCollector collector;
  const auto report = collector.Collect(
      {Source({dir.File("a_directory"), dir.File("loop_a"), dir.File("fifo"), dir.File("huge.pem"),
               dir.File("garbage.crt"), dir.File("empty.pem"), dir.File("truncated.jks"),
               dir.File("key.pem"), dir.File("missing.pem"), dir.File("nothing*.pem"), "/dev/zero"},
              dir.File("no_password_file"))});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(report.certificates.empty());
  const std::map<std::string, std::string> expected = {
      {dir.File("a_directory"), "not_regular_file"},
      {dir.File("loop_a"), "symlink_loop"},
      {dir.File("fifo"), "not_regular_file"},
      {dir.File("huge.pem"), "too_large"},
      {dir.File("garbage.crt"), "malformed"},
      {dir.File("empty.pem"), "malformed"},
      {dir.File("truncated.jks"), "malformed"},
      {dir.File("key.pem"), "no_certificate"},
      {dir.File("missing.pem"), "not_found"},
      {dir.File("nothing*.pem"), "no_match"},
      {"/dev/zero", "not_regular_file"},
      {dir.File("no_password_file"), "password_file_error"},
  };
  EXPECT_EQ(Reasons(report), expected);
}

TEST(CertFileCollectorTest, GlobsSkipDirectoriesAndNonUtf8NamesAreSanitized) {
  TempDir dir;
  fs::create_directory(dir.File("sub.pem"));
  dir.Write("bad\xff.pem", ReadGenerated("leaf.pem"));
  CertFileCollector collector;
  const auto report = collector.Collect({Source({dir.File("*.pem")})});
  ASSERT_EQ(report.certificates.size(), 1U);
  EXPECT_EQ(report.certificates[0].path, dir.File("bad\xEF\xBF\xBD.pem"));
  EXPECT_TRUE(report.errors.empty());
}

TEST(CertFileCollectorTest, ErrnoReasons) {
  EXPECT_EQ(ErrnoReason(ENOENT), FileError::kNotFound);
  EXPECT_EQ(ErrnoReason(EACCES), FileError::kPermissionDenied);
  EXPECT_EQ(ErrnoReason(ELOOP), FileError::kSymlinkLoop);
  EXPECT_EQ(ErrnoReason(EIO), FileError::kReadError);
}

}  // namespace
}  // namespace portwarden::certfiles
