// TlsContextCache keeps contexts across cycles and drops them when their files change.
#include "agent/probe/tls_context.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace portwarden::probe {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

struct FileDeleter {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

/// Writes a self-signed CA certificate with common name `cn` to `path` as PEM.
void WriteCa(const std::string& path, const std::string& cn) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(EVP_EC_gen("P-256"));
  UniqueX509 cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<std::FILE, FileDeleter> file(std::fopen(path.c_str(), "w"));
  ASSERT_TRUE(file);
  ASSERT_EQ(PEM_write_X509(file.get(), cert.get()), 1);
}

class TlsContextCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pw-ctx-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    ca_ = (dir_ / "ca.pem").string();
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  SSL_CTX* Get(TlsContextCache& cache) {
    auto ctx = cache.Get({ca_, "", "", ""});
    return ctx ? ctx->get() : nullptr;
  }

  std::filesystem::path dir_;
  std::string ca_;
};

TEST_F(TlsContextCacheTest, SharedAcrossCyclesWhileTheFileIsUnchanged) {
  WriteCa(ca_, "First CA");
  TlsContextCache cache;
  auto first = cache.Get({ca_, "", "", ""});
  ASSERT_TRUE(first);
  EXPECT_EQ(Get(cache), first->get());
  cache.Revalidate();
  EXPECT_EQ(Get(cache), first->get());  // Used in the last cycle, file unchanged: kept.
}

// Probe connections read ahead (the server's first flight in few reads) and free their record
// buffers whenever they are empty (32 handshakes in flight otherwise hold 34 KB each).
TEST_F(TlsContextCacheTest, ContextsReadAheadAndReleaseEmptyBuffers) {
  WriteCa(ca_, "Some CA");
  TlsContextCache cache;
  SSL_CTX* ctx = Get(cache);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(SSL_CTX_get_read_ahead(ctx), 1);
  EXPECT_TRUE((SSL_CTX_get_mode(ctx) & SSL_MODE_RELEASE_BUFFERS) != 0);
}

TEST_F(TlsContextCacheTest, RewrittenFileGivesANewContext) {
  WriteCa(ca_, "First CA");
  TlsContextCache cache;
  auto first = cache.Get({ca_, "", "", ""});
  ASSERT_TRUE(first);
  WriteCa(ca_, "Second CA");  // Same path, same inode, new content.
  cache.Revalidate();
  auto second = cache.Get({ca_, "", "", ""});
  ASSERT_TRUE(second);
  EXPECT_NE(second->get(), first->get());
  X509_STORE* store = SSL_CTX_get_cert_store(second->get());
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  ASSERT_EQ(sk_X509_OBJECT_num(objects), 1);
  const X509* ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, 0));
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "Second CA");
}

TEST_F(TlsContextCacheTest, ContextsNoCycleUsedAreDropped) {
  WriteCa(ca_, "First CA");
  TlsContextCache cache;
  std::weak_ptr<SSL_CTX> first;
  {
    auto ctx = cache.Get({ca_, "", "", ""});
    ASSERT_TRUE(ctx);
    first = *ctx;
  }
  cache.Revalidate();  // Used during the cycle that just ended: kept.
  EXPECT_FALSE(first.expired());
  cache.Revalidate();  // Not used during the last cycle: its endpoint is gone.
  EXPECT_TRUE(first.expired());
}

TEST_F(TlsContextCacheTest, MissingFileIsAnErrorUntilItAppears) {
  TlsContextCache cache;
  auto missing = cache.Get({ca_, "", "", ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, "tls_setup");
  EXPECT_FALSE(cache.Get({ca_, "", "", ""}));  // The failure is kept for the cycle.
  cache.Revalidate();
  EXPECT_FALSE(cache.Get({ca_, "", "", ""}));  // Retried next cycle: still missing.
  WriteCa(ca_, "First CA");
  cache.Revalidate();
  EXPECT_TRUE(cache.Get({ca_, "", "", ""}));
}

TEST(FileStampTest, TellsMissingReplacedAndTouchedFilesApart) {
  const auto dir = std::filesystem::temp_directory_path() / "pw-stamp-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "f").string();
  EXPECT_FALSE(StampOf(path).exists);
  WriteCa(path, "A");
  const FileStamp written = StampOf(path);
  EXPECT_TRUE(written.exists);
  EXPECT_EQ(StampOf(path), written);
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(1));
  EXPECT_NE(StampOf(path), written);
  const FileStamp dir_before = StampOf(dir.string());
  WriteCa((dir / "g").string(), "B");  // A directory changes when a file is added.
  EXPECT_NE(StampOf(dir.string()), dir_before);
  std::filesystem::remove_all(dir);
}

TEST(FileStampTest, SystemStoreIsItsHashedDirectory) {
  const auto files = FilesOf({});
  ASSERT_EQ(files.size(), 1U);
  EXPECT_EQ(files[0], X509_get_default_cert_dir());
  EXPECT_EQ(FilesOf({"a.pem", "", "c.pem", "k.pem"}),
            (std::vector<std::string>{"a.pem", "c.pem", "k.pem"}));
}

}  // namespace
}  // namespace portwarden::probe
