#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/core/error.h"
#include "agent/core/unique_fd.h"
#include "agent/inventory/fd_walker.h"

namespace portwarden::inventory {

/// Lists every process's socket inodes in one in-kernel pass: a BPF `iter/task_file`
/// program (assembled here, field offsets from the kernel's BTF) that writes (tgid, fd,
/// inode) for each open socket file, instead of one readlinkat per fd under /proc.
///
/// Needs Linux 5.11+ with BTF (/sys/kernel/btf/vmlinux), CAP_BPF and CAP_PERFMON (or
/// CAP_SYS_ADMIN), and the initial pid namespace (the kernel reports global pids, which
/// must match /proc). Create() says why when any of that is missing; callers fall back to
/// /proc. The loaded program is kept, so each Walk() costs only the kernel's pass.
class BpfFdWalker final : public FdWalker {
 public:
  static Result<std::unique_ptr<BpfFdWalker>> Create(
      const std::string& btf_path = "/sys/kernel/btf/vmlinux");

  /// Socket inodes per process, ascending by pid; processes without sockets are absent.
  Result<std::vector<FdTable>> Walk() const override;

 private:
  BpfFdWalker(UniqueFd program, UniqueFd link)
      : program_(std::move(program)), link_(std::move(link)) {}

  UniqueFd program_;
  UniqueFd link_;
};

}  // namespace portwarden::inventory
