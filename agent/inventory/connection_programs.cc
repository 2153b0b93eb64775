#include "agent/inventory/connection_programs.h"

#include <linux/btf.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "agent/inventory/bpf_assembler.h"
#include "agent/inventory/btf_index.h"
#include "agent/inventory/connection_keys.h"

namespace portwarden::inventory {
namespace {

using bpf::AddImm;
using bpf::Assembler;
using bpf::AtomicAdd64;
using bpf::Call;
using bpf::Load;
using bpf::Load64;
using bpf::MovImm;
using bpf::MovReg;
using bpf::Store;
using bpf::StoreImm;

constexpr int kTcpEstablished = 1;
constexpr int kPublic = static_cast<int>(Scope::kPublic);

// Stack layout below the frame pointer r10 (every access aligned to its size).
constexpr int kWatchedKey = -8;  // WatchedKey
constexpr int kPeerKey = -32;    // PeerScopeKey: prefix_bits, family, address at -24
constexpr int kPeerAddress = -24;
constexpr int kCountKey = -64;  // CountKey: netns, port -60, family -58, scope -57, local -56
constexpr int kLocalAddress = -56;
constexpr int kSocketKey = -72;  // u64: the sock's address
constexpr int kZero64 = -80;     // u64 0, a new count's first value
constexpr int kZero32 = -84;     // u32 0, the overflow array's index

// r1 = r10 + offset.
void StackPointer(Assembler& a, int reg, int offset) {
  a.Emit(MovReg(reg, 10));
  a.Emit(AddImm(reg, offset));
}

// r0 = lookup(map, r10 + key).
void Lookup(Assembler& a, int map, int key) {
  a.LoadMap(1, map);
  StackPointer(a, 2, key);
  a.Emit(Call(BPF_FUNC_map_lookup_elem));
}

// overflow[slot] += 1, then `out`.
void CountOverflow(Assembler& a, const TrackerMaps& maps, std::uint32_t slot, int out) {
  a.Emit(StoreImm(BPF_W, 10, kZero32, static_cast<std::int32_t>(slot)));
  Lookup(a, maps.overflow, kZero32);
  a.JumpIf(BPF_JEQ, 0, 0, out);
  a.Emit(MovImm(1, 1));
  a.Emit(AtomicAdd64(0, 0, 1));
  a.Jump(out);
}

// r1 = r10 + dst; r2 = 16; r3 = r7 + field; probe_read_kernel.
void CopyAddress(Assembler& a, int dst, int field) {
  StackPointer(a, 1, dst);
  a.Emit(MovImm(2, 16));
  a.Emit(MovReg(3, 7));
  a.Emit(AddImm(3, field));
  a.Emit(Call(BPF_FUNC_probe_read_kernel));
}

// The socket in r7 entered ESTABLISHED (or is found there by the iterator): count it once
// if its (namespace, port) is watched. Every path ends at `out`.
void EmitEnter(Assembler& a, const SockLayout& l, const TrackerMaps& maps, int out) {
  const int v4 = a.NewLabel();
  const int classify = a.NewLabel();
  const int store_scope = a.NewLabel();
  const int add = a.NewLabel();
  const int overflow = a.NewLabel();
  const int counts_full = a.NewLabel();
  // Watched (namespace, local port)?
  a.Emit(Load64(1, 7, l.net));
  a.Emit(Load(BPF_W, 1, 1, l.net_inum));
  a.Emit(Store(BPF_W, 10, kWatchedKey, 1));
  a.Emit(Store(BPF_W, 10, kCountKey, 1));
  a.Emit(Load(BPF_H, 2, 7, l.num));
  a.Emit(Store(BPF_H, 10, kWatchedKey + 4, 2));
  a.Emit(Store(BPF_H, 10, kCountKey + 4, 2));
  a.Emit(StoreImm(BPF_H, 10, kWatchedKey + 6, 0));
  Lookup(a, maps.watched, kWatchedKey);
  a.JumpIf(BPF_JEQ, 0, 0, out);
  // The addresses, by family.
  a.Emit(Load(BPF_H, 2, 7, l.family));
  a.Emit(Store(BPF_B, 10, kCountKey + 6, 2));
  a.Emit(Store(BPF_W, 10, kPeerKey + 4, 2));
  for (const int at : {kPeerAddress, kPeerAddress + 8, kLocalAddress, kLocalAddress + 8}) {
    a.Emit(StoreImm(BPF_DW, 10, at, 0));
  }
  a.JumpIf(BPF_JEQ, 2, AF_INET, v4);
  a.JumpIf(BPF_JNE, 2, AF_INET6, out);
  CopyAddress(a, kLocalAddress, l.v6_rcv_saddr);
  CopyAddress(a, kPeerAddress, l.v6_daddr);
  a.Emit(StoreImm(BPF_W, 10, kPeerKey, 32 + 128));
  a.Jump(classify);
  a.Bind(v4);
  a.Emit(Load(BPF_W, 1, 7, l.rcv_saddr));
  a.Emit(Store(BPF_W, 10, kLocalAddress, 1));
  a.Emit(Load(BPF_W, 1, 7, l.daddr));
  a.Emit(Store(BPF_W, 10, kPeerAddress, 1));
  a.Emit(StoreImm(BPF_W, 10, kPeerKey, 32 + 32));
  // The peer's scope: the longest prefix, else public.
  a.Bind(classify);
  Lookup(a, maps.peer_scopes, kPeerKey);
  a.Emit(MovImm(1, kPublic));
  a.JumpIf(BPF_JEQ, 0, 0, store_scope);
  a.Emit(Load(BPF_B, 1, 0, 0));
  a.Bind(store_scope);
  a.Emit(Store(BPF_B, 10, kCountKey + 7, 1));
  // Once per socket: the NOEXIST insert decides.
  a.Emit(Store(BPF_DW, 10, kSocketKey, 7));
  a.LoadMap(1, maps.sockets);
  StackPointer(a, 2, kSocketKey);
  StackPointer(a, 3, kCountKey);
  a.Emit(MovImm(4, BPF_NOEXIST));
  a.Emit(Call(BPF_FUNC_map_update_elem));
  a.JumpIf(BPF_JEQ, 0, -EEXIST, out);
  a.JumpIf(BPF_JNE, 0, 0, overflow);
  Lookup(a, maps.counts, kCountKey);
  a.JumpIf(BPF_JNE, 0, 0, add);
  a.Emit(StoreImm(BPF_DW, 10, kZero64, 0));
  a.LoadMap(1, maps.counts);
  StackPointer(a, 2, kCountKey);
  StackPointer(a, 3, kZero64);
  a.Emit(MovImm(4, BPF_NOEXIST));
  a.Emit(Call(BPF_FUNC_map_update_elem));  // EEXIST: another CPU made it first
  Lookup(a, maps.counts, kCountKey);
  a.JumpIf(BPF_JEQ, 0, 0, counts_full);
  a.Bind(add);
  a.Emit(MovImm(1, 1));
  a.Emit(AtomicAdd64(0, 0, 1));
  a.Jump(out);
  a.Bind(overflow);
  CountOverflow(a, maps, kOverflowSockets, out);
  a.Bind(counts_full);
  CountOverflow(a, maps, kOverflowCounts, out);
}

// The socket in r7 left ESTABLISHED: uncount it if it was counted.
void EmitLeave(Assembler& a, const TrackerMaps& maps, int out) {
  const int failed = a.NewLabel();
  a.Emit(Store(BPF_DW, 10, kSocketKey, 7));
  Lookup(a, maps.sockets, kSocketKey);
  a.JumpIf(BPF_JEQ, 0, 0, out);
  for (int i = 0; i < 3; ++i) {  // the CountKey, copied before the entry is freed
    a.Emit(Load64(1, 0, 8 * i));
    a.Emit(Store(BPF_DW, 10, kCountKey + 8 * i, 1));
  }
  a.LoadMap(1, maps.sockets);
  StackPointer(a, 2, kSocketKey);
  a.Emit(Call(BPF_FUNC_map_delete_elem));
  a.JumpIf(BPF_JEQ, 0, -ENOENT, out);  // another CPU uncounted it
  a.JumpIf(BPF_JNE, 0, 0, failed);     // left counted: the counts are no longer exact
  Lookup(a, maps.counts, kCountKey);
  a.JumpIf(BPF_JEQ, 0, 0, out);
  a.Emit(MovImm(1, -1));
  a.Emit(AtomicAdd64(0, 0, 1));
  a.Jump(out);
  a.Bind(failed);
  CountOverflow(a, maps, kOverflowSockets, out);
}

void EmitReturnZero(Assembler& a, int out) {
  a.Bind(out);
  a.Emit(MovImm(0, 0));
  a.Emit(bpf::Exit());
}

}  // namespace

Result<SockLayout> ReadSockLayout(const BtfIndex& btf) {
  SockLayout layout;
  layout.set_state_btf_id = btf.FindType(BTF_KIND_TYPEDEF, "btf_trace_inet_sock_set_state");
  if (layout.set_state_btf_id == 0) {
    return Fail("no tracepoint inet_sock_set_state in the kernel's BTF (kernel < 4.16?)");
  }
  layout.iter_tcp_btf_id = btf.FindType(BTF_KIND_FUNC, "bpf_iter_tcp");
  if (layout.iter_tcp_btf_id == 0) {
    return Fail("no bpf_iter_tcp in the kernel's BTF (kernel < 5.9?)");
  }
  // Linux 5.15 made the iterator exact: it visits a bucket's sockets in batches under
  // lock_sock and skips the unhashed ones; before, a socket could be missed or seen twice.
  if (!btf.MemberOffset("bpf_tcp_iter_state", "max_sk")) {
    return Fail(
        "bpf_iter_tcp does not batch sockets (no bpf_tcp_iter_state.max_sk: kernel < 5.15)");
  }

  const struct {
    const char* type;
    const char* path;
    std::int16_t* out;
  } fields[] = {
      {"sock_common", "skc_daddr", &layout.daddr},
      {"sock_common", "skc_rcv_saddr", &layout.rcv_saddr},
      {"sock_common", "skc_num", &layout.num},
      {"sock_common", "skc_family", &layout.family},
      {"sock_common", "skc_state", &layout.state},
      {"sock_common", "skc_net", &layout.net},
      {"sock_common", "skc_v6_daddr", &layout.v6_daddr},
      {"sock_common", "skc_v6_rcv_saddr", &layout.v6_rcv_saddr},
      {"sock", "sk_protocol", &layout.protocol},
      {"net", "ns.inum", &layout.net_inum},
      {"bpf_iter__tcp", "sk_common", &layout.iter_sk_common},
  };

  for (const auto& field : fields) {
    auto offset = btf.MemberOffset(field.type, field.path);
    if (!offset) {
      return std::unexpected(offset.error());
    }
    if (*offset > 0x7fff) {
      return Fail(std::string(field.type) + "." + field.path + " beyond a 16-bit offset");
    }
    *field.out = static_cast<std::int16_t>(*offset);
  }
  auto common = btf.MemberOffset("sock", "__sk_common");
  if (!common || *common != 0) {
    return Fail("struct sock does not start with its sock_common");
  }
  return layout;
}

// r6 = ctx (u64 args[3]: sk, oldstate, newstate), r7 = sk, r8 = oldstate, r9 = newstate.
std::vector<bpf_insn> StateChangeProgram(const SockLayout& layout, const TrackerMaps& maps) {
  Assembler a;
  const int out = a.NewLabel();
  const int enter = a.NewLabel();
  const int leave = a.NewLabel();
  a.Emit(MovReg(6, 1));
  a.Emit(Load64(7, 6, 0));
  a.JumpIf(BPF_JEQ, 7, 0, out);
  a.Emit(Load(BPF_H, 1, 7, layout.protocol));
  a.JumpIf(BPF_JNE, 1, IPPROTO_TCP, out);
  a.Emit(Load64(8, 6, 8));
  a.Emit(Load64(9, 6, 16));
  a.JumpIf(BPF_JEQ, 9, kTcpEstablished, enter);
  a.JumpIf(BPF_JEQ, 8, kTcpEstablished, leave);
  a.Jump(out);
  a.Bind(enter);
  EmitEnter(a, layout, maps, out);
  a.Bind(leave);
  EmitLeave(a, maps, out);
  EmitReturnZero(a, out);
  return a.Finish();
}

// r6 = ctx (struct bpf_iter__tcp: meta, sk_common, uid), r7 = sk_common.
std::vector<bpf_insn> SeedIteratorProgram(const SockLayout& layout, const TrackerMaps& maps) {
  Assembler a;
  const int out = a.NewLabel();
  a.Emit(MovReg(6, 1));
  a.Emit(Load64(7, 6, layout.iter_sk_common));
  a.JumpIf(BPF_JEQ, 7, 0, out);
  a.Emit(Load(BPF_B, 1, 7, layout.state));
  a.JumpIf(BPF_JNE, 1, kTcpEstablished, out);
  EmitEnter(a, layout, maps, out);
  EmitReturnZero(a, out);
  return a.Finish();
}

}  // namespace portwarden::inventory
