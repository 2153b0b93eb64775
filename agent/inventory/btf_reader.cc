#include "agent/inventory/btf_reader.h"

#include <fcntl.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "agent/core/unique_fd.h"
#include "agent/inventory/btf_kind.h"

namespace portwarden::inventory {
namespace {

constexpr std::size_t kWindowBytes = 64 * 1024;

// A read-only private mapping of a whole file, unmapped on destruction; empty when the file
// cannot be mapped.
class Mapping {
 public:
  Mapping(int fd, std::size_t size) : size_(size) {
    void* data = size == 0 ? MAP_FAILED : ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    data_ = data == MAP_FAILED ? nullptr : static_cast<const char*>(data);
  }

  ~Mapping() {
    if (data_ != nullptr) {
      ::munmap(const_cast<char*>(data_), size_);
    }
  }

  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  std::span<const char> bytes() const {
    return data_ == nullptr ? std::span<const char>{} : std::span<const char>{data_, size_};
  }

 private:
  const char* data_ = nullptr;
  std::size_t size_;
};

// The size of `fd`'s file when it is a regular file (sysfs reports the BTF blob's size).
std::size_t FileSize(int fd) {
  struct stat st {};

  return ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0
             ? static_cast<std::size_t>(st.st_size)
             : 0;
}

// Reads a file through one reused buffer: At(offset, n) is valid until the next call. With
// `mapped` bytes (the whole file mapped), At() points into them instead: the kernel's BTF
// can be mapped since Linux 6.16, and its sysfs file is otherwise read 4 KiB per call (about
// 1,500 calls and 3 ms for a 6 MB blob).
class FileWindow {
 public:
  FileWindow(int fd, std::span<const char> mapped)
      : fd_(fd), mapped_(mapped), buffer_(mapped.empty() ? kWindowBytes : 0) {}

  // `n` bytes at `offset`, or an empty span past the end of the file (or on a read error).
  std::span<const char> At(std::uint64_t offset, std::size_t n) {
    if (!mapped_.empty()) {
      if (offset > mapped_.size() || n > mapped_.size() - offset) {
        return {};
      }
      return mapped_.subspan(offset, n);
    }
    if (offset < start_ || offset + n > start_ + filled_) {
      start_ = offset;
      filled_ = 0;
      while (filled_ < buffer_.size()) {
        const ssize_t got = ::pread(fd_, buffer_.data() + filled_, buffer_.size() - filled_,
                                    static_cast<off_t>(start_ + filled_));
        if (got <= 0) {
          break;
        }
        filled_ += static_cast<std::size_t>(got);
      }
      if (n > filled_) {
        return {};
      }
    }
    return {buffer_.data() + (offset - start_), n};
  }

  template <typename T>
  bool Read(std::uint64_t offset, T& out) {
    const auto bytes = At(offset, sizeof(T));
    if (bytes.size() != sizeof(T)) {
      return false;
    }
    std::memcpy(&out, bytes.data(), sizeof(T));
    return true;
  }

 private:
  int fd_;
  std::span<const char> mapped_;
  std::vector<char> buffer_;
  std::uint64_t start_ = 0;
  std::size_t filled_ = 0;
};

// The names the iterator needs, and every string-section offset each was found at.
enum Name { kIterFunc, kTask, kTgid, kFile, kFInode, kInode, kIno, kNameCount };

constexpr std::array<std::string_view, kNameCount> kNames = {
    "bpf_iter_task_file", "task_struct", "tgid", "file", "f_inode", "inode", "i_ino"};
using NameOffsets = std::array<std::vector<std::uint32_t>, kNameCount>;

bool Is(const NameOffsets& names, Name name, std::uint32_t offset) {
  for (const auto candidate : names[name]) {
    if (candidate == offset) {
      return true;
    }
  }
  return false;
}

// Every offset of the string section at which one of kNames starts as a whole string.
NameOffsets FindNames(FileWindow& file, std::uint64_t start, std::uint32_t length) {
  NameOffsets found;
  int missing = kNameCount;
  std::uint32_t pos = 0;
  while (pos < length) {
    const auto chunk = file.At(start + pos, std::min<std::size_t>(kWindowBytes, length - pos));
    if (chunk.empty()) {
      break;
    }
    std::size_t i = 0;
    while (i < chunk.size()) {
      const void* nul = std::memchr(chunk.data() + i, '\0', chunk.size() - i);
      if (nul == nullptr) {
        break;  // a string cut by the window: read again from its start
      }
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nul) - chunk.data());
      const std::string_view text(chunk.data() + i, end - i);
      for (int name = 0; name < kNameCount; ++name) {
        if (text == kNames[name]) {
          found[name].push_back(pos + static_cast<std::uint32_t>(i));
          missing -= found[name].size() == 1 ? 1 : 0;
        }
      }
      i = end + 1;
    }
    if (missing == 0) {
      break;  // strings are deduplicated: the rest cannot hold another copy worth finding
    }
    pos += static_cast<std::uint32_t>(i == 0 ? chunk.size() : i);  // skip an oversized string
  }
  return found;
}

// Byte offset of member `member` in the struct whose members start at `members`; 0 and false
// when it has no such member.
bool MemberOffset(FileWindow& file,
                  std::uint64_t members,
                  const btf_type& type,
                  const NameOffsets& names,
                  Name member,
                  std::uint32_t& offset) {
  const bool bitfield_encoding = BTF_INFO_KFLAG(type.info) != 0;
  for (unsigned i = 0; i < BTF_INFO_VLEN(type.info); ++i) {
    btf_member entry{};
    if (!file.Read(members + 12ULL * i, entry)) {
      return false;
    }
    if (Is(names, member, entry.name_off)) {
      const std::uint32_t bits =
          bitfield_encoding ? BTF_MEMBER_BIT_OFFSET(entry.offset) : entry.offset;
      offset = bits / 8;
      return true;
    }
  }
  return false;
}

struct Found {
  bool iter = false, tgid = false, inode = false, ino = false;
};

// Records what `type` (id `id`, trailing data at `trailer`) contributes to `layout`.
void Inspect(FileWindow& file,
             std::uint32_t id,
             const btf_type& type,
             std::uint64_t trailer,
             const NameOffsets& names,
             TaskFileLayout& layout,
             Found& found) {
  const unsigned kind = BTF_INFO_KIND(type.info);
  if (kind == BTF_KIND_FUNC && Is(names, kIterFunc, type.name_off)) {
    layout.iter_func_btf_id = id;
    found.iter = true;
  } else if (kind == BTF_KIND_STRUCT && !found.tgid && Is(names, kTask, type.name_off)) {
    found.tgid = MemberOffset(file, trailer, type, names, kTgid, layout.task_tgid);
  } else if (kind == BTF_KIND_STRUCT && !found.inode && Is(names, kFile, type.name_off)) {
    found.inode = MemberOffset(file, trailer, type, names, kFInode, layout.file_inode);
  } else if (kind == BTF_KIND_STRUCT && !found.ino && Is(names, kInode, type.name_off)) {
    found.ino = MemberOffset(file, trailer, type, names, kIno, layout.inode_ino);
  }
}

Result<TaskFileLayout> WalkTypes(FileWindow& file,
                                 std::uint64_t start,
                                 std::uint32_t length,
                                 const NameOffsets& names,
                                 const std::string& path) {
  TaskFileLayout layout;
  Found found;
  std::uint64_t pos = start;
  for (std::uint32_t id = 1; pos < start + length; ++id) {
    btf_type type{};
    if (!file.Read(pos, type)) {
      return Fail(path + ": type section truncated");
    }
    const long long trailing = BtfTrailingBytes(BTF_INFO_KIND(type.info), BTF_INFO_VLEN(type.info));
    if (trailing < 0) {
      return Fail(path + ": unknown BTF kind " + std::to_string(BTF_INFO_KIND(type.info)));
    }
    Inspect(file, id, type, pos + sizeof(type), names, layout, found);
    if (found.iter && found.tgid && found.inode && found.ino) {
      return layout;
    }
    pos += sizeof(type) + static_cast<std::uint64_t>(trailing);
  }
  return Fail(path + ": no " +
              std::string(!found.iter    ? "bpf_iter_task_file (kernel < 5.8?)"
                          : !found.tgid  ? "task_struct.tgid"
                          : !found.inode ? "file.f_inode"
                                         : "inode.i_ino") +
              " in the kernel's BTF");
}

}  // namespace

Result<TaskFileLayout> ReadTaskFileLayout(const std::string& btf_path, BtfAccess access) {
  const UniqueFd fd(::open(btf_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return std::unexpected(ErrnoError(errno, btf_path));
  }
  const Mapping mapping(fd.get(), access == BtfAccess::kRead ? 0 : FileSize(fd.get()));
  FileWindow file(fd.get(), mapping.bytes());
  btf_header header{};
  if (!file.Read(0, header) || header.magic != BTF_MAGIC || header.hdr_len < sizeof(header)) {
    return Fail(btf_path + ": not a BTF file in this machine's byte order");
  }
  const NameOffsets names =
      FindNames(file, std::uint64_t{header.hdr_len} + header.str_off, header.str_len);
  return WalkTypes(file, std::uint64_t{header.hdr_len} + header.type_off, header.type_len, names,
                   btf_path);
}

}  // namespace portwarden::inventory
