#include "agent/inventory/bpf_assembler.h"

namespace portwarden::inventory::bpf {

bpf_insn Insn(std::uint8_t code, int dst, int src, int off, int imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = static_cast<std::uint8_t>(dst) & 0xf;
  insn.src_reg = static_cast<std::uint8_t>(src) & 0xf;
  insn.off = static_cast<std::int16_t>(off);
  insn.imm = imm;
  return insn;
}

int Assembler::NewLabel() {
  labels_.push_back(-1);
  return static_cast<int>(labels_.size() - 1);
}

void Assembler::Bind(int label) {
  labels_[static_cast<std::size_t>(label)] = static_cast<long>(code_.size());
}

void Assembler::JumpIf(std::uint8_t op, int reg, int imm, int label) {
  fixups_.push_back({code_.size(), label});
  Emit(Insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
}

void Assembler::Jump(int label) {
  fixups_.push_back({code_.size(), label});
  Emit(Insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
}

void Assembler::LoadMap(int reg, int map_fd) {
  Emit(Insn(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, map_fd));
  Emit(Insn(0, 0, 0, 0, 0));
}

std::vector<bpf_insn> Assembler::Finish() const {
  std::vector<bpf_insn> out = code_;
  for (const auto& fixup : fixups_) {
    const long target = labels_[static_cast<std::size_t>(fixup.label)];
    if (target < 0) {
      return {};
    }
    out[fixup.at].off = static_cast<std::int16_t>(target - static_cast<long>(fixup.at) - 1);
  }
  return out;
}

}  // namespace portwarden::inventory::bpf
