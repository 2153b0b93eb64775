#pragma once

#include <cstdint>
#include <string>

#include "agent/core/error.h"

namespace portwarden::inventory {

/// What a hand-assembled BPF iterator over (task, fd, file) needs to know about the running
/// kernel: the BTF id it attaches to and the byte offsets of the three fields it reads.
/// Offsets differ between kernel builds, so they come from the kernel's own type information.
struct TaskFileLayout {
  std::uint32_t iter_func_btf_id = 0;  ///< FUNC "bpf_iter_task_file"
  std::uint32_t task_tgid = 0;         ///< offsetof(struct task_struct, tgid)
  std::uint32_t file_inode = 0;        ///< offsetof(struct file, f_inode)
  std::uint32_t inode_ino = 0;         ///< offsetof(struct inode, i_ino)
};

/// How ReadTaskFileLayout reads the file.
enum class BtfAccess {
  kMapOrRead,  ///< map it read-only (Linux 6.16+ for the kernel's BTF), else read a window
  kRead,       ///< read through a 64 KiB window only (older kernels; tests of that path)
};

/// Reads `btf_path` (normally /sys/kernel/btf/vmlinux) mapped, or else through a small
/// window, without copying its megabytes: finds the wanted names in the string section, then
/// walks the type section once. Fails with a reason when the file is missing, malformed or
/// lacks a name.
Result<TaskFileLayout> ReadTaskFileLayout(const std::string& btf_path,
                                          BtfAccess access = BtfAccess::kMapOrRead);

}  // namespace portwarden::inventory
