// ReadTaskFileLayout on hand-built BTF files (exact offsets, window boundaries, every error)
// and on the running kernel's /sys/kernel/btf/vmlinux when it has one.
#include "agent/inventory/btf_reader.h"

#include <linux/btf.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/inventory/btf_builder.h"

namespace portwarden::inventory {
namespace {

class BtfReaderTest : public ::testing::Test {
 protected:
  std::string Path() const {
    return (std::filesystem::temp_directory_path() /
            ("pw-btf-" + std::to_string(::getpid()) + ".bin"))
        .string();
  }

  void TearDown() override { std::filesystem::remove(Path()); }

  // A kernel-like layout: int; task_struct { state, tgid@12 }; an enum to step over;
  // file { f_inode@40 } in the bitfield member encoding; inode { i_mode, i_ino@64 };
  // a FUNC_PROTO and FUNC bpf_iter_task_file (id 7).
  static void AddKernelTypes(BtfBuilder& btf, bool with_iter_func = true) {
    btf.Type(btf.Name("int"), BTF_KIND_INT, 0, 4);
    btf.Word(32);
    btf.Type(btf.Name("task_struct"), BTF_KIND_STRUCT, 2, 16);
    btf.Member(btf.Name("state"), 1, 0);
    btf.Member(btf.Name("tgid"), 1, 12 * 8);
    btf.Type(btf.Name("file"), BTF_KIND_STRUCT, 1, 48, /*kflag=*/true);
    btf.Member(btf.Name("f_inode"), 1, (0U << 24) | (40 * 8));
    btf.Type(btf.Name("e"), BTF_KIND_ENUM, 2, 4);
    for (int word = 0; word < 4; ++word) {
      btf.Word(0);  // two 8-byte btf_enum entries: the reader must step 8 * vlen, not 12
    }
    btf.Type(btf.Name("inode"), BTF_KIND_STRUCT, 2, 72);
    btf.Member(btf.Name("i_mode"), 1, 0);
    btf.Member(btf.Name("i_ino"), 1, 64 * 8);
    btf.Type(0, BTF_KIND_FUNC_PROTO, 1, 1);
    btf.Word(0);
    btf.Word(1);
    if (with_iter_func) {
      btf.Type(btf.Name("bpf_iter_task_file"), BTF_KIND_FUNC, 0, 6);
    }
  }
};

// Mapped (a regular file) and read through the window: the same layout.
TEST_F(BtfReaderTest, FindsTheIteratorAndTheThreeFieldOffsets) {
  BtfBuilder btf;
  AddKernelTypes(btf);
  const std::string path = btf.Write(Path());
  for (const auto access : {BtfAccess::kMapOrRead, BtfAccess::kRead}) {
    const auto layout = ReadTaskFileLayout(path, access);
    ASSERT_TRUE(layout.has_value()) << layout.error().message;
    EXPECT_EQ(layout->iter_func_btf_id, 7U);
    EXPECT_EQ(layout->task_tgid, 12U);
    EXPECT_EQ(layout->file_inode, 40U);
    EXPECT_EQ(layout->inode_ino, 64U);
  }
}

TEST_F(BtfReaderTest, NamesCutByTheReadWindowAreStillFound) {
  BtfBuilder btf;
  btf.PadStringsTo(64 * 1024 - 5);  // "task_struct" straddles the first 64 KiB window
  AddKernelTypes(btf);
  const std::string path = btf.Write(Path());
  for (const auto access : {BtfAccess::kMapOrRead, BtfAccess::kRead}) {
    const auto layout = ReadTaskFileLayout(path, access);
    ASSERT_TRUE(layout.has_value()) << layout.error().message;
    EXPECT_EQ(layout->task_tgid, 12U);
    EXPECT_EQ(layout->inode_ino, 64U);
  }
}

TEST_F(BtfReaderTest, MissingIteratorIsNamed) {
  BtfBuilder btf;
  AddKernelTypes(btf, /*with_iter_func=*/false);
  const auto layout = ReadTaskFileLayout(btf.Write(Path()));
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message,
            Path() + ": no bpf_iter_task_file (kernel < 5.8?) in the kernel's BTF");
}

TEST_F(BtfReaderTest, UnknownKindStopsTheWalkWithItsNumber) {
  BtfBuilder btf;
  btf.Type(btf.Name("odd"), 31, 0, 0);
  AddKernelTypes(btf);
  const auto layout = ReadTaskFileLayout(btf.Write(Path()));
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message, Path() + ": unknown BTF kind 31");
}

TEST_F(BtfReaderTest, NotBtfAndMissingFilesAreErrors) {
  std::ofstream(Path()) << "definitely not BTF, but long enough for a header";
  const auto garbage = ReadTaskFileLayout(Path());
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().message, Path() + ": not a BTF file in this machine's byte order");

  const auto missing = ReadTaskFileLayout("/nonexistent/vmlinux");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "/nonexistent/vmlinux: No such file or directory");
}

TEST(KernelBtfTest, RunningKernelHasPlausibleOffsets) {
  const std::string path = "/sys/kernel/btf/vmlinux";
  if (::access(path.c_str(), R_OK) != 0) {
    GTEST_SKIP() << path << " is not readable here";
  }
  const auto layout = ReadTaskFileLayout(path);
  ASSERT_TRUE(layout.has_value()) << layout.error().message;
  const auto read = ReadTaskFileLayout(path, BtfAccess::kRead);  // mapped or not: the same
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->iter_func_btf_id, layout->iter_func_btf_id);
  EXPECT_EQ(read->task_tgid, layout->task_tgid);
  EXPECT_EQ(read->file_inode, layout->file_inode);
  EXPECT_EQ(read->inode_ino, layout->inode_ino);
  EXPECT_GT(layout->iter_func_btf_id, 0U);
  EXPECT_GT(layout->task_tgid, 0U);  // not the first field of task_struct
  EXPECT_LT(layout->task_tgid, 16384U);
  EXPECT_LT(layout->file_inode, 512U);
  EXPECT_LT(layout->inode_ino, 512U);
  EXPECT_EQ(layout->inode_ino % 8, 0U);   // unsigned long
  EXPECT_EQ(layout->file_inode % 8, 0U);  // a pointer
}

}  // namespace
}  // namespace portwarden::inventory
