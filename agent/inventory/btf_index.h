#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/error.h"

namespace portwarden::inventory {

/// The kernel's BTF (normally /sys/kernel/btf/vmlinux) loaded for a handful of look-ups by
/// name: the id of a FUNC or TYPEDEF, the byte offset of a struct member by a dotted path
/// that may pass through anonymous structs and unions ("skc_num", "ns.inum"). Holds a copy
/// of the file (a few MB) only as long as the object lives: build, query, drop. Not
/// thread-safe. BtfReader stays the lean single-pass reader of the fd walker.
class BtfIndex {
 public:
  /// Reads and indexes `path`; fails when it is missing or malformed.
  static Result<BtfIndex> Load(const std::string& path);

  /// Parses a BTF blob already in memory (for tests).
  static Result<BtfIndex> Parse(std::vector<char> bytes, const std::string& what);

  /// The id of the first type of `kind` (BTF_KIND_*) named `name`; 0 when absent.
  std::uint32_t FindType(unsigned kind, std::string_view name) const;

  /// offsetof(struct `type`, `path`) in bytes; fails naming what is missing (or a bit field).
  Result<std::uint32_t> MemberOffset(std::string_view type, std::string_view path) const;

 private:
  BtfIndex() = default;

  struct TypeView {
    std::uint32_t name_off;
    std::uint32_t info;
    std::uint32_t size_or_type;
    std::size_t trailer;  // byte position of what follows the btf_type
  };

  std::string_view Name(std::uint32_t offset) const;
  TypeView At(std::uint32_t id) const;
  std::uint32_t SkipModifiers(std::uint32_t id) const;
  bool FindMember(std::uint32_t id,
                  std::string_view name,
                  std::uint32_t& bits,
                  std::uint32_t& member_type,
                  int depth) const;

  std::vector<char> bytes_;
  std::size_t types_ = 0;    // start of the type section
  std::size_t strings_ = 0;  // start of the string section
  std::uint32_t strings_len_ = 0;
  std::vector<std::uint32_t> positions_;  // byte position of each type id (0 unused)
  std::string what_;
};

}  // namespace portwarden::inventory
