#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

/// A small eBPF assembler for the programs the inventory builds in C++ (no clang, no
/// libbpf): the instruction forms they use, and forward jumps to labels resolved at the end.
namespace portwarden::inventory::bpf {

/// One raw instruction.
bpf_insn Insn(std::uint8_t code, int dst, int src, int off, int imm);

inline bpf_insn MovReg(int dst, int src) {
  return Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

inline bpf_insn MovImm(int dst, int imm) {
  return Insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

inline bpf_insn AddImm(int dst, int imm) {
  return Insn(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm);
}

/// dst = *(size *)(src + off), size one of BPF_B, BPF_H, BPF_W, BPF_DW.
inline bpf_insn Load(std::uint8_t size, int dst, int src, int off) {
  return Insn(BPF_LDX | size | BPF_MEM, dst, src, off, 0);
}

inline bpf_insn Load64(int dst, int src, int off) {
  return Load(BPF_DW, dst, src, off);
}

inline bpf_insn Load32(int dst, int src, int off) {
  return Load(BPF_W, dst, src, off);
}

/// *(size *)(dst + off) = src.
inline bpf_insn Store(std::uint8_t size, int dst, int off, int src) {
  return Insn(BPF_STX | size | BPF_MEM, dst, src, off, 0);
}

inline bpf_insn Store64(int dst, int off, int src) {
  return Store(BPF_DW, dst, off, src);
}

inline bpf_insn Store32(int dst, int off, int src) {
  return Store(BPF_W, dst, off, src);
}

/// *(size *)(dst + off) = imm.
inline bpf_insn StoreImm(std::uint8_t size, int dst, int off, int imm) {
  return Insn(BPF_ST | size | BPF_MEM, dst, 0, off, imm);
}

/// Atomically *(u64 *)(dst + off) += src.
inline bpf_insn AtomicAdd64(int dst, int off, int src) {
  return Insn(BPF_STX | BPF_DW | BPF_ATOMIC, dst, src, off, BPF_ADD);
}

inline bpf_insn JumpIfZero(int reg, int skip) {
  return Insn(BPF_JMP | BPF_JEQ | BPF_K, reg, 0, skip, 0);
}

inline bpf_insn Call(int helper) {
  return Insn(BPF_JMP | BPF_CALL, 0, 0, 0, helper);
}

inline bpf_insn Exit() {
  return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/// Builds a program with forward and backward jumps to labels. Not thread-safe.
class Assembler {
 public:
  /// A label to jump to; Bind() it exactly once.
  int NewLabel();
  /// The label names the next instruction emitted.
  void Bind(int label);

  void Emit(const bpf_insn& insn) { code_.push_back(insn); }

  /// if (reg <op> imm) goto label; `op` one of BPF_JEQ, BPF_JNE, BPF_JGT...
  void JumpIf(std::uint8_t op, int reg, int imm, int label);
  /// goto label.
  void Jump(int label);
  /// reg = the map whose fd is `map_fd` (a two-slot BPF_LD_IMM64 with BPF_PSEUDO_MAP_FD).
  void LoadMap(int reg, int map_fd);
  /// The program with every jump resolved; empty when a label was never bound.
  std::vector<bpf_insn> Finish() const;

 private:
  struct Fixup {
    std::size_t at;
    int label;
  };

  std::vector<bpf_insn> code_;
  std::vector<long> labels_;  // instruction index, -1 while unbound
  std::vector<Fixup> fixups_;
};

}  // namespace portwarden::inventory::bpf
