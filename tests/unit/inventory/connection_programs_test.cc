#include "agent/inventory/connection_programs.h"

#include <set>

#include <gtest/gtest.h>

#include "agent/inventory/bpf_assembler.h"

namespace portwarden::inventory {
namespace {

TEST(BpfAssemblerTest, ResolvesForwardAndBackwardJumps) {
  bpf::Assembler a;
  const int top = a.NewLabel();
  const int end = a.NewLabel();
  a.Bind(top);
  a.Emit(bpf::MovImm(0, 0));     // 0
  a.JumpIf(BPF_JEQ, 1, 5, end);  // 1: to 4
  a.Jump(top);                   // 2: to 0
  a.LoadMap(1, 42);              // 3-4 (two slots)
  a.Bind(end);
  a.Emit(bpf::Exit());  // 5
  const auto code = a.Finish();
  ASSERT_EQ(code.size(), 6U);
  EXPECT_EQ(code[1].off, 3);
  EXPECT_EQ(code[2].off, -3);
  EXPECT_EQ(code[3].code, BPF_LD | BPF_DW | BPF_IMM);
  EXPECT_EQ(code[3].src_reg, BPF_PSEUDO_MAP_FD);
  EXPECT_EQ(code[3].imm, 42);
}

TEST(BpfAssemblerTest, UnboundLabelGivesNoProgram) {
  bpf::Assembler a;
  a.Jump(a.NewLabel());
  EXPECT_TRUE(a.Finish().empty());
}

SockLayout FakeLayout() {
  SockLayout l;
  l.daddr = 0;
  l.rcv_saddr = 4;
  l.num = 14;
  l.family = 16;
  l.state = 18;
  l.net = 48;
  l.v6_daddr = 56;
  l.v6_rcv_saddr = 72;
  l.protocol = 516;
  l.net_inum = 176;
  return l;
}

// What the verifier would refuse outright: a jump outside the program, a map not ours, a
// helper beyond the few the design needs, a program not ending in exit.
void ExpectWellFormed(const std::vector<bpf_insn>& code, const TrackerMaps& maps) {
  ASSERT_FALSE(code.empty());
  const std::set<int> fds{maps.watched, maps.sockets, maps.counts, maps.peer_scopes, maps.overflow};
  const std::set<int> helpers{BPF_FUNC_map_lookup_elem, BPF_FUNC_map_update_elem,
                              BPF_FUNC_map_delete_elem, BPF_FUNC_probe_read_kernel};
  std::set<int> used_maps;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const auto& insn = code[i];
    const unsigned cls = BPF_CLASS(insn.code);
    if (insn.code == (BPF_LD | BPF_DW | BPF_IMM)) {
      EXPECT_EQ(insn.src_reg, BPF_PSEUDO_MAP_FD) << i;
      EXPECT_TRUE(fds.contains(insn.imm)) << i;
      used_maps.insert(insn.imm);
      ++i;  // the second slot
      continue;
    }
    if (cls == BPF_JMP && BPF_OP(insn.code) == BPF_CALL) {
      EXPECT_TRUE(helpers.contains(insn.imm)) << "helper " << insn.imm << " at " << i;
    } else if (cls == BPF_JMP && BPF_OP(insn.code) != BPF_EXIT) {
      const long target = static_cast<long>(i) + 1 + insn.off;
      EXPECT_GE(target, 0) << i;
      EXPECT_LT(target, static_cast<long>(code.size())) << i;
    }
    if ((cls == BPF_STX || cls == BPF_ST) && insn.dst_reg == 10) {
      const int size = BPF_SIZE(insn.code) == BPF_DW  ? 8
                       : BPF_SIZE(insn.code) == BPF_W ? 4
                       : BPF_SIZE(insn.code) == BPF_H ? 2
                                                      : 1;
      EXPECT_EQ(insn.off % size, 0) << "misaligned stack store at " << i;
      EXPECT_LT(insn.off, 0) << i;
      EXPECT_GE(insn.off, -512) << i;
    }
  }
  EXPECT_EQ(code.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(used_maps, fds);
}

TEST(ConnectionProgramsTest, StateChangeProgramIsWellFormed) {
  const TrackerMaps maps{3, 4, 5, 6, 7};
  const auto code = StateChangeProgram(FakeLayout(), maps);
  ExpectWellFormed(code, maps);
  // It starts from the tracepoint's arguments: r7 = sk, then sk->sk_protocol.
  EXPECT_EQ(code[1].code, BPF_LDX | BPF_DW | BPF_MEM);
  EXPECT_EQ(code[1].off, 0);
  EXPECT_EQ(code[3].off, 516);
}

TEST(ConnectionProgramsTest, SeedIteratorProgramIsWellFormed) {
  const TrackerMaps maps{3, 4, 5, 6, 7};
  const auto code = SeedIteratorProgram(FakeLayout(), maps);
  // Only the insert side: no delete.
  for (const auto& insn : code) {
    if (insn.code == (BPF_JMP | BPF_CALL)) {
      EXPECT_NE(insn.imm, BPF_FUNC_map_delete_elem);
    }
  }
  ExpectWellFormed(code, maps);
  EXPECT_EQ(code[1].off, 8);   // bpf_iter__tcp.sk_common
  EXPECT_EQ(code[3].off, 18);  // skc_state
}

}  // namespace
}  // namespace portwarden::inventory
