// The BTF reader on arbitrary bytes. It reads a file through a window (pread), so the input is
// written to a memfd and the reader opens it by /proc/self/fd path: the real code, I/O included.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "agent/inventory/btf_reader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = ::memfd_create("btf-fuzz", MFD_CLOEXEC);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  PORTWARDEN_FUZZ_CHECK(fd >= 0);
  PORTWARDEN_FUZZ_CHECK(::ftruncate(fd, 0) == 0);
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::pwrite(fd, data + written, size - written, static_cast<off_t>(written));
    PORTWARDEN_FUZZ_CHECK(n > 0);
    written += static_cast<std::size_t>(n);
  }
  (void)portwarden::inventory::ReadTaskFileLayout(path);
  return 0;
}
