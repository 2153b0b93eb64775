#include "agent/inventory/bpf_syscall.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace portwarden::inventory::bpf {
namespace {

std::uint64_t Address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

}  // namespace

long Syscall(int command, bpf_attr& attr) {
  return ::syscall(__NR_bpf, command, &attr, sizeof(attr));
}

Result<UniqueFd> CreateMap(const MapSpec& spec) {
  bpf_attr attr{};
  attr.map_type = spec.type;
  attr.key_size = spec.key_size;
  attr.value_size = spec.value_size;
  attr.max_entries = spec.max_entries;
  attr.map_flags = spec.flags;
  std::strncpy(attr.map_name, spec.name, sizeof(attr.map_name) - 1);
  UniqueFd fd(static_cast<int>(Syscall(BPF_MAP_CREATE, attr)));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, std::string("creating the BPF map ") + spec.name));
  }
  return fd;
}

Result<UniqueFd> LoadTracing(std::span<const bpf_insn> program,
                             bpf_attach_type attach_type,
                             std::uint32_t btf_id,
                             const std::string& what) {
  if (program.empty()) {
    return Fail("assembling " + what + ": a jump to an unbound label");
  }
  static constexpr char kLicense[] = "Dual MIT/GPL";  // probe_read_kernel is GPL-only
  // The log is only asked for on a retry: a large log buffer slows every successful load.
  for (const bool with_log : {false, true}) {
    std::vector<char> log(with_log ? 64 * 1024 : 0);
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_TRACING;
    attr.expected_attach_type = attach_type;
    attr.insns = Address(program.data());
    attr.insn_cnt = static_cast<std::uint32_t>(program.size());
    attr.license = Address(kLicense);
    attr.attach_btf_id = btf_id;
    if (with_log) {
      attr.log_level = 1;
      attr.log_buf = Address(log.data());
      attr.log_size = static_cast<std::uint32_t>(log.size());
    }
    UniqueFd fd(static_cast<int>(Syscall(BPF_PROG_LOAD, attr)));
    if (fd.valid()) {
      return fd;
    }
    const int err = errno;
    if (with_log || err == EPERM) {
      std::string why = ErrnoError(err, "loading " + what).message;
      if (!log.empty() && log[0] != '\0') {
        // The verifier's last lines say what it refused.
        const std::string text(log.data(), ::strnlen(log.data(), log.size()));
        why += " (verifier: " + text.substr(text.size() > 600 ? text.size() - 600 : 0) + ")";
      }
      return Fail(std::move(why), err);
    }
  }
  return Fail("loading " + what + ": unreachable");
}

Status CheckTracingCapabilities(const std::string& what) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
  if (::syscall(SYS_capget, &header, data.data()) != 0) {
    return {};
  }
  const auto has = [&](int cap) {
    return (data[static_cast<std::size_t>(cap / 32)].effective & (1U << (cap % 32))) != 0;
  };
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) {
    return {};
  }
  return Fail(what + " needs CAP_BPF and CAP_PERFMON", EPERM);
}

Status Update(const UniqueFd& map, const void* key, const void* value, std::uint64_t flags) {
  bpf_attr attr{};
  attr.map_fd = static_cast<std::uint32_t>(map.get());
  attr.key = Address(key);
  attr.value = Address(value);
  attr.flags = flags;
  if (Syscall(BPF_MAP_UPDATE_ELEM, attr) != 0) {
    return std::unexpected(ErrnoError(errno, "updating a BPF map"));
  }
  return {};
}

Status Delete(const UniqueFd& map, const void* key) {
  bpf_attr attr{};
  attr.map_fd = static_cast<std::uint32_t>(map.get());
  attr.key = Address(key);
  if (Syscall(BPF_MAP_DELETE_ELEM, attr) != 0 && errno != ENOENT) {
    return std::unexpected(ErrnoError(errno, "deleting from a BPF map"));
  }
  return {};
}

bool Lookup(const UniqueFd& map, const void* key, void* value) {
  bpf_attr attr{};
  attr.map_fd = static_cast<std::uint32_t>(map.get());
  attr.key = Address(key);
  attr.value = Address(value);
  return Syscall(BPF_MAP_LOOKUP_ELEM, attr) == 0;
}

bool NextKey(const UniqueFd& map, const void* key, void* next) {
  bpf_attr attr{};
  attr.map_fd = static_cast<std::uint32_t>(map.get());
  attr.key = Address(key);
  attr.next_key = Address(next);
  return Syscall(BPF_MAP_GET_NEXT_KEY, attr) == 0;
}

}  // namespace portwarden::inventory::bpf
