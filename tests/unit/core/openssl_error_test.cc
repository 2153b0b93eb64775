// OpenSslLastError: the text of the last queued OpenSSL error, and the queue cleared.
#include "agent/core/openssl_error.h"

#include <string>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "agent/core/openssl_handles.h"

namespace portwarden {
namespace {

TEST(OpenSslLastErrorTest, NamesTheLastErrorThenClearsTheQueue) {
  const std::string garbage = "not a certificate";
  const UniqueBio bio(BIO_new_mem_buf(garbage.data(), static_cast<int>(garbage.size())));
  ASSERT_NE(bio, nullptr);
  EXPECT_EQ(UniqueX509(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)), nullptr);
  EXPECT_NE(OpenSslLastError().find("no start line"), std::string::npos);
  EXPECT_EQ(OpenSslLastError(), "unknown error");  // nothing left from that failure
}

}  // namespace
}  // namespace portwarden
