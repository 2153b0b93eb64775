#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <span>
#include <string>

#include "agent/core/error.h"
#include "agent/core/unique_fd.h"

/// Thin, owning wrappers over the bpf(2) commands the inventory's BPF programs use.
namespace portwarden::inventory::bpf {

/// bpf(command, &attr): the raw syscall.
long Syscall(int command, bpf_attr& attr);

/// What a map is.
struct MapSpec {
  std::uint32_t type = 0;  ///< BPF_MAP_TYPE_*
  std::uint32_t key_size = 0;
  std::uint32_t value_size = 0;
  std::uint32_t max_entries = 0;
  std::uint32_t flags = 0;  ///< BPF_F_*
  const char* name = "";    ///< at most 15 characters, shown by bpftool
};

/// A new map; the error names it.
Result<UniqueFd> CreateMap(const MapSpec& spec);

/// A new BPF_PROG_TYPE_TRACING program attached (at load) to BTF id `btf_id` as
/// `attach_type`; on refusal the error carries the head of the verifier's log.
Result<UniqueFd> LoadTracing(std::span<const bpf_insn> program,
                             bpf_attach_type attach_type,
                             std::uint32_t btf_id,
                             const std::string& what);

/// Whether this process may load tracing programs (CAP_SYS_ADMIN, or CAP_BPF with
/// CAP_PERFMON); EPERM naming `what` when not. Unknown capabilities: let the kernel decide.
Status CheckTracingCapabilities(const std::string& what);

/// map[key] = value with `flags` (BPF_ANY, BPF_NOEXIST...).
Status Update(const UniqueFd& map, const void* key, const void* value, std::uint64_t flags);

/// Deletes map[key]; ENOENT is not an error.
Status Delete(const UniqueFd& map, const void* key);

/// Reads map[key] into `value`; false when absent.
bool Lookup(const UniqueFd& map, const void* key, void* value);

/// The key after `key` (nullptr: the first) into `next`; false at the end.
bool NextKey(const UniqueFd& map, const void* key, void* next);

}  // namespace portwarden::inventory::bpf
