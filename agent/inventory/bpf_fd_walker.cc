#include "agent/inventory/bpf_fd_walker.h"

#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "agent/inventory/bpf_assembler.h"
#include "agent/inventory/btf_reader.h"

namespace portwarden::inventory {
namespace {

// Inode number of the initial pid namespace (include/linux/proc_ns.h).
constexpr ino_t kInitialPidNamespace = 0xEFFFFFFCU;

// What the program writes per socket file, in the machine's byte order.
struct SocketFdRecord {
  std::uint32_t tgid;
  std::uint32_t fd;
  std::uint64_t inode;
};

static_assert(sizeof(SocketFdRecord) == 16);

// Offsets in the iterator's context, struct bpf_iter__task_file: meta, task, fd, file.
constexpr short kCtxMeta = 0;
constexpr short kCtxTask = 8;
constexpr short kCtxFd = 16;
constexpr short kCtxFile = 24;

long Bpf(int command, bpf_attr& attr) {
  return ::syscall(__NR_bpf, command, &attr, sizeof(attr));
}

using bpf::AddImm;
using bpf::Call;
using bpf::Exit;
using bpf::JumpIfZero;
using bpf::Load32;
using bpf::Load64;
using bpf::MovImm;
using bpf::MovReg;
using bpf::Store32;
using bpf::Store64;

// For each (task, fd, file): skip non-sockets, then seq_write {task->tgid, fd,
// file->f_inode->i_ino}. r6 = ctx, r7 = task, r8 = file; r10 is the frame pointer.
std::array<bpf_insn, 23> Program(const TaskFileLayout& layout) {
  constexpr int kExitAt = 21;
  const auto to_exit = [](int at) { return kExitAt - at - 1; };
  return {
      MovReg(6, 1),                                       // 0
      Load64(7, 6, kCtxTask),                             // 1
      JumpIfZero(7, to_exit(2)),                          // 2
      Load64(8, 6, kCtxFile),                             // 3
      JumpIfZero(8, to_exit(4)),                          // 4
      MovReg(1, 8),                                       // 5
      Call(BPF_FUNC_sock_from_file),                      // 6
      JumpIfZero(0, to_exit(7)),                          // 7
      Load64(1, 8, static_cast<int>(layout.file_inode)),  // 8
      Load64(2, 1, static_cast<int>(layout.inode_ino)),   // 9
      Store64(10, -8, 2),                                 // 10
      Load32(3, 7, static_cast<int>(layout.task_tgid)),   // 11
      Store32(10, -16, 3),                                // 12
      Load32(4, 6, kCtxFd),                               // 13
      Store32(10, -12, 4),                                // 14
      Load64(1, 6, kCtxMeta),                             // 15
      Load64(1, 1, 0),                                    // 16: meta->seq
      MovReg(2, 10),                                      // 17
      AddImm(2, -16),                                     // 18
      MovImm(3, sizeof(SocketFdRecord)),                  // 19
      Call(BPF_FUNC_seq_write),                           // 20
      MovImm(0, 0),                                       // 21
      Exit(),                                             // 22
  };
}

Result<UniqueFd> LoadProgram(const TaskFileLayout& layout) {
  const auto program = Program(layout);
  static constexpr char kLicense[] = "Dual MIT/GPL";  // bpf_seq_write is GPL-only
  std::array<char, 4096> log{};
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_TRACING;
  attr.expected_attach_type = BPF_TRACE_ITER;
  attr.insns = reinterpret_cast<std::uintptr_t>(program.data());
  attr.insn_cnt = program.size();
  attr.license = reinterpret_cast<std::uintptr_t>(kLicense);
  attr.attach_btf_id = layout.iter_func_btf_id;
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
  attr.log_size = log.size();
  UniqueFd fd(static_cast<int>(Bpf(BPF_PROG_LOAD, attr)));
  if (!fd.valid()) {
    const int err = errno;
    std::string why = ErrnoError(err, "loading the BPF task_file iterator").message;
    if (log[0] != '\0') {
      why += " (verifier: " + std::string(log.data(), ::strnlen(log.data(), 300)) + ")";
    }
    return Fail(std::move(why), err);
  }
  return fd;
}

Result<UniqueFd> AttachIterator(const UniqueFd& program) {
  bpf_attr attr{};
  attr.link_create.prog_fd = static_cast<std::uint32_t>(program.get());
  attr.link_create.attach_type = BPF_TRACE_ITER;
  UniqueFd link(static_cast<int>(Bpf(BPF_LINK_CREATE, attr)));
  if (!link.valid()) {
    return std::unexpected(ErrnoError(errno, "attaching the BPF task_file iterator"));
  }
  return link;
}

Status CheckPidNamespace() {
  struct stat st {};

  if (::stat("/proc/self/ns/pid", &st) != 0) {
    return std::unexpected(ErrnoError(errno, "/proc/self/ns/pid"));
  }
  if (st.st_ino != kInitialPidNamespace) {
    return Fail("not in the initial pid namespace (the BPF walk reports global pids)");
  }
  return {};
}

// Loading a tracing program needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (for
// either). Checked before the BTF read (a few milliseconds of sysfs text) so that an agent
// without them, such as the shipped systemd unit, fails at once with the same EPERM the
// kernel would give.
Status CheckCapabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) {
    return {};  // unknown: let the kernel decide
  }
  const auto has = [&](int cap) {
    return (data[static_cast<std::size_t>(cap / 32)].effective & (1U << (cap % 32))) != 0;
  };
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) {
    return {};
  }
  return Fail("loading the BPF task_file iterator needs CAP_BPF and CAP_PERFMON", EPERM);
}

// Groups records by process, ascending pid, as FdTables. The iterator visits tasks in pid
// order, so the records nearly always arrive sorted and the sort is skipped.
std::vector<FdTable> GroupByProcess(std::vector<SocketFdRecord>& records) {
  const auto by_tgid = [](const auto& a, const auto& b) { return a.tgid < b.tgid; };
  if (!std::is_sorted(records.begin(), records.end(), by_tgid)) {
    std::stable_sort(records.begin(), records.end(), by_tgid);
  }
  std::vector<FdTable> tables;
  for (const auto& record : records) {
    if (tables.empty() || tables.back().pid != static_cast<int>(record.tgid)) {
      tables.emplace_back();
      tables.back().pid = static_cast<int>(record.tgid);
      tables.back().opened = true;
    }
    ++tables.back().fds_read;
    tables.back().inodes.push_back(record.inode);
  }
  return tables;
}

}  // namespace

Result<std::unique_ptr<BpfFdWalker>> BpfFdWalker::Create(const std::string& btf_path) {
  if (auto in_initial = CheckPidNamespace(); !in_initial) {
    return std::unexpected(in_initial.error());
  }
  if (auto allowed = CheckCapabilities(); !allowed) {
    return std::unexpected(allowed.error());
  }
  const auto layout = ReadTaskFileLayout(btf_path);
  if (!layout) {
    return std::unexpected(layout.error());
  }
  auto program = LoadProgram(*layout);
  if (!program) {
    return std::unexpected(program.error());
  }
  auto link = AttachIterator(*program);
  if (!link) {
    return std::unexpected(link.error());
  }
  return std::unique_ptr<BpfFdWalker>(new BpfFdWalker(std::move(*program), std::move(*link)));
}

Result<std::vector<FdTable>> BpfFdWalker::Walk() const {
  bpf_attr attr{};
  attr.iter_create.link_fd = static_cast<std::uint32_t>(link_.get());
  const UniqueFd iterator(static_cast<int>(Bpf(BPF_ITER_CREATE, attr)));
  if (!iterator.valid()) {
    return std::unexpected(ErrnoError(errno, "starting the BPF task_file iterator"));
  }
  std::vector<SocketFdRecord> records;
  std::array<SocketFdRecord, 4096> chunk;
  std::size_t carried = 0;  // bytes of a record cut between reads
  for (;;) {
    auto* bytes = reinterpret_cast<char*>(chunk.data());
    const ssize_t got = ::read(iterator.get(), bytes + carried, sizeof(chunk) - carried);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return std::unexpected(ErrnoError(errno, "reading the BPF task_file iterator"));
    }
    if (got == 0) {
      break;
    }
    const std::size_t total = carried + static_cast<std::size_t>(got);
    const std::size_t whole = total / sizeof(SocketFdRecord);
    records.insert(records.end(), chunk.begin(), chunk.begin() + static_cast<long>(whole));
    carried = total % sizeof(SocketFdRecord);
    std::memmove(bytes, bytes + whole * sizeof(SocketFdRecord), carried);
  }
  return GroupByProcess(records);
}

}  // namespace portwarden::inventory
