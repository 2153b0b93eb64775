#pragma once

// Builds BTF files for the BTF readers' tests.
#include <linux/btf.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace portwarden::inventory {

// Writes a BTF file type by type: strings are interned, ids count from 1.
class BtfBuilder {
 public:
  BtfBuilder() { strings_.push_back('\0'); }

  std::uint32_t Name(const std::string& text) {
    const auto offset = static_cast<std::uint32_t>(strings_.size());
    strings_.insert(strings_.end(), text.begin(), text.end());
    strings_.push_back('\0');
    return offset;
  }

  // Unnamed filler strings, so that later names sit where the test wants them.
  void PadStringsTo(std::size_t offset) {
    while (strings_.size() + 1 < offset) {
      strings_.push_back('x');
    }
    strings_.push_back('\0');
  }

  void Type(std::uint32_t name,
            unsigned kind,
            unsigned vlen,
            std::uint32_t size_or_type,
            bool kflag = false) {
    Word(name);
    Word((kflag ? 1U << 31 : 0U) | (kind << 24) | vlen);
    Word(size_or_type);
  }

  void Member(std::uint32_t name, std::uint32_t type, std::uint32_t offset) {
    Word(name);
    Word(type);
    Word(offset);
  }

  void Word(std::uint32_t value) {
    const auto* bytes = reinterpret_cast<const char*>(&value);
    types_.insert(types_.end(), bytes, bytes + 4);
  }

  std::string Write(const std::string& path) const {
    btf_header header{};
    header.magic = BTF_MAGIC;
    header.version = BTF_VERSION;
    header.hdr_len = sizeof(header);
    header.type_off = 0;
    header.type_len = static_cast<std::uint32_t>(types_.size());
    header.str_off = header.type_len;
    header.str_len = static_cast<std::uint32_t>(strings_.size());
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof(header));
    out.write(types_.data(), static_cast<std::streamsize>(types_.size()));
    out.write(strings_.data(), static_cast<std::streamsize>(strings_.size()));
    return path;
  }

 private:
  std::vector<char> types_;
  std::vector<char> strings_;
};

}  // namespace portwarden::inventory
