#include "agent/inventory/btf_index.h"

#include <fcntl.h>
#include <linux/btf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/core/unique_fd.h"
#include "agent/inventory/btf_kind.h"

namespace portwarden::inventory {
namespace {

constexpr int kMaxAnonymousDepth = 8;

}  // namespace

Result<BtfIndex> BtfIndex::Load(const std::string& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, path));
  }
  // sysfs gives the blob's size but serves it about 4 KiB per read(): one buffer of that
  // size, doubled only if the file turns out longer.
  constexpr std::size_t kMaxBytes = 256U << 20;  // a vmlinux BTF is a few MB

  struct stat st {};

  const bool sized = ::fstat(fd.get(), &st) == 0 && st.st_size > 0;
  std::vector<char> bytes(sized ? static_cast<std::size_t>(st.st_size) : 1U << 20);
  std::size_t used = 0;
  for (;;) {
    if (used == bytes.size()) {
      if (bytes.size() >= kMaxBytes) {
        return Fail(path + ": larger than 256 MB");
      }
      bytes.resize(bytes.size() * 2);
    }
    const ssize_t got = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return std::unexpected(ErrnoError(errno, path));
    }
    if (got == 0) {
      break;
    }
    used += static_cast<std::size_t>(got);
  }
  bytes.resize(used);
  return Parse(std::move(bytes), path);
}

Result<BtfIndex> BtfIndex::Parse(std::vector<char> bytes, const std::string& what) {
  BtfIndex index;
  index.what_ = what;
  btf_header header{};
  if (bytes.size() < sizeof(header)) {
    return Fail(what + ": not a BTF file");
  }
  std::memcpy(&header, bytes.data(), sizeof(header));
  const std::uint64_t types = std::uint64_t{header.hdr_len} + header.type_off;
  const std::uint64_t strings = std::uint64_t{header.hdr_len} + header.str_off;
  if (header.magic != BTF_MAGIC || header.hdr_len < sizeof(header) ||
      types + header.type_len > bytes.size() || strings + header.str_len > bytes.size()) {
    return Fail(what + ": not a BTF file in this machine's byte order");
  }
  index.types_ = types;
  index.strings_ = strings;
  index.strings_len_ = header.str_len;
  index.positions_.push_back(0);
  std::uint64_t pos = types;
  while (pos < types + header.type_len) {
    if (pos + sizeof(btf_type) > types + header.type_len) {
      return Fail(what + ": type section truncated");
    }
    btf_type type{};
    std::memcpy(&type, bytes.data() + pos, sizeof(type));
    const long long trailing = BtfTrailingBytes(BTF_INFO_KIND(type.info), BTF_INFO_VLEN(type.info));
    if (trailing < 0) {
      return Fail(what + ": unknown BTF kind " + std::to_string(BTF_INFO_KIND(type.info)));
    }
    index.positions_.push_back(static_cast<std::uint32_t>(pos));
    pos += sizeof(type) + static_cast<std::uint64_t>(trailing);
  }
  if (pos != types + header.type_len) {
    return Fail(what + ": type section truncated");
  }
  index.bytes_ = std::move(bytes);
  return index;
}

std::string_view BtfIndex::Name(std::uint32_t offset) const {
  if (offset >= strings_len_) {
    return {};
  }
  const char* start = bytes_.data() + strings_ + offset;
  return {start, ::strnlen(start, strings_len_ - offset)};
}

BtfIndex::TypeView BtfIndex::At(std::uint32_t id) const {
  btf_type type{};
  std::memcpy(&type, bytes_.data() + positions_[id], sizeof(type));
  return {type.name_off, type.info, type.size, positions_[id] + sizeof(type)};
}

std::uint32_t BtfIndex::FindType(unsigned kind, std::string_view name) const {
  for (std::uint32_t id = 1; id < positions_.size(); ++id) {
    const TypeView type = At(id);
    if (BTF_INFO_KIND(type.info) == kind && Name(type.name_off) == name) {
      return id;
    }
  }
  return 0;
}

std::uint32_t BtfIndex::SkipModifiers(std::uint32_t id) const {
  for (int hops = 0; hops < 32 && id != 0 && id < positions_.size(); ++hops) {
    const unsigned kind = BTF_INFO_KIND(At(id).info);
    if (kind != BTF_KIND_TYPEDEF && kind != BTF_KIND_VOLATILE && kind != BTF_KIND_CONST &&
        kind != BTF_KIND_RESTRICT && kind != BTF_KIND_TYPE_TAG) {
      return id;
    }
    id = At(id).size_or_type;
  }
  return id < positions_.size() ? id : 0;
}

// Finds member `name` of struct/union `id`, descending into anonymous members; `bits` is
// its bit offset from the start of `id`.
bool BtfIndex::FindMember(std::uint32_t id,
                          std::string_view name,
                          std::uint32_t& bits,
                          std::uint32_t& member_type,
                          int depth) const {
  id = SkipModifiers(id);
  if (id == 0 || depth > kMaxAnonymousDepth) {
    return false;
  }
  const TypeView type = At(id);
  const unsigned kind = BTF_INFO_KIND(type.info);
  if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION) {
    return false;
  }
  const bool kflag = BTF_INFO_KFLAG(type.info) != 0;
  for (unsigned i = 0; i < BTF_INFO_VLEN(type.info); ++i) {
    btf_member member{};
    std::memcpy(&member, bytes_.data() + type.trailer + 12ULL * i, sizeof(member));
    const std::uint32_t offset = kflag ? BTF_MEMBER_BIT_OFFSET(member.offset) : member.offset;
    if (kflag && BTF_MEMBER_BITFIELD_SIZE(member.offset) != 0) {
      continue;  // bit fields cannot be loaded by offset
    }
    if (member.name_off == 0) {
      std::uint32_t inner = 0;
      if (FindMember(member.type, name, inner, member_type, depth + 1)) {
        bits = offset + inner;
        return true;
      }
    } else if (Name(member.name_off) == name) {
      bits = offset;
      member_type = member.type;
      return true;
    }
  }
  return false;
}

Result<std::uint32_t> BtfIndex::MemberOffset(std::string_view type, std::string_view path) const {
  std::uint32_t id = FindType(BTF_KIND_STRUCT, type);
  if (id == 0) {
    return Fail(what_ + ": no struct " + std::string(type) + " in the kernel's BTF");
  }
  std::uint32_t total = 0;
  for (std::string_view rest = path; !rest.empty();) {
    const std::size_t dot = rest.find('.');
    const std::string_view step = rest.substr(0, dot);
    std::uint32_t bits = 0;
    std::uint32_t member_type = 0;
    if (!FindMember(id, step, bits, member_type, 0) || bits % 8 != 0) {
      return Fail(what_ + ": no " + std::string(type) + "." + std::string(path) +
                  " in the kernel's BTF");
    }
    total += bits / 8;
    id = member_type;
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return total;
}

}  // namespace portwarden::inventory
