#include "agent/firewall/legacy_tables.h"

#include <memory>

#include <openssl/evp.h>

#include "agent/firewall/xt_reader.h"

namespace portwarden::firewall {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

class Digest {
 public:
  Digest() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }

  template <typename T>
  void Add(const T& value) {
    EVP_DigestUpdate(ctx_.get(), &value, sizeof(value));
  }

  void AddBytes(const void* data, std::size_t size) {
    Add(size);
    EVP_DigestUpdate(ctx_.get(), data, size);
  }

  std::array<std::uint8_t, 32> Finish() {
    std::array<std::uint8_t, 32> out{};
    unsigned length = 0;
    EVP_DigestFinal_ex(ctx_.get(), out.data(), &length);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx_;
};

void AddFamily(const Result<std::vector<XtTableImage>>& family, Digest& digest) {
  if (!family) {
    digest.AddBytes(family.error().message.data(), family.error().message.size());
    return;
  }
  digest.Add(family->size());
  for (const auto& image : *family) {
    digest.AddBytes(image.name.data(), image.name.size());
    digest.Add(image.valid_hooks);
    digest.Add(image.hook_entry);
    digest.Add(image.underflow);
    digest.AddBytes(image.entries.data(), image.entries.size());
  }
}

// The family's tables into `ruleset`, or why not.
std::string AddFamilyTables(const Result<std::vector<XtTableImage>>& family, Ruleset& ruleset) {
  if (!family) {
    return family.error().message;
  }
  std::vector<Table> tables;
  std::size_t rules = ruleset.rule_count;
  for (const auto& image : *family) {
    auto table = ParseXtTable(image, rules);
    if (!table) {
      return "legacy iptables " + image.name + ": " + table.error().message;
    }
    tables.push_back(std::move(*table));
  }
  ruleset.rule_count = rules;
  for (auto& table : tables) {
    ruleset.tables.push_back(std::move(table));
  }
  return "";
}

}  // namespace

std::array<std::uint8_t, 32> LegacyDigest(const LegacyRead& read) {
  Digest digest;
  AddFamily(read.v4, digest);
  AddFamily(read.v6, digest);
  return digest.Finish();
}

LegacyRead ReadLegacyTables() {
  std::size_t budget = kMaxXtNamespaceBytes;  // every table of both families together
  LegacyRead read{ReadXtTables(false, budget), {}, {}};
  read.v6 = ReadXtTables(true, budget);
  // An overrun is the namespace's, not one family's: then neither family is judged.
  for (const auto* family : {&read.v4, &read.v6}) {
    if (!*family && family->error().code == kXtBudgetCode) {
      const Error error = family->error();
      read.v4 = std::unexpected(error), read.v6 = std::unexpected(error);
      break;
    }
  }
  read.digest = LegacyDigest(read);
  return read;
}

void AddLegacyTables(const LegacyRead& read, NamespaceRuleset& target) {
  if (!target.ruleset) {
    return;
  }
  target.legacy_v4_error = AddFamilyTables(read.v4, *target.ruleset);
  target.legacy_v6_error = AddFamilyTables(read.v6, *target.ruleset);
}

}  // namespace portwarden::firewall
