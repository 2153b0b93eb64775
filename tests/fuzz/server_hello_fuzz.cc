// The parser of a TLS server's first reply (group detection reads it from the probed peer):
// no crash, no read past the input, and the answer for a prefix holds for the whole input.
#include "agent/probe/server_hello.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

bool SameReply(const portwarden::probe::hello::ServerReply& a,
               const portwarden::probe::hello::ServerReply& b) {
  return a.kind == b.kind && a.selected_version == b.selected_version &&
         a.cipher_suite == b.cipher_suite && a.group == b.group &&
         a.key_exchange_size == b.key_exchange_size && a.alert_description == b.alert_description;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using portwarden::probe::hello::ParseServerReply;
  const std::span<const std::uint8_t> bytes(data, size);
  const auto whole = ParseServerReply(bytes);
  if (whole) {
    PORTWARDEN_FUZZ_CHECK(whole->key_exchange_size < size);
  }
  // A reply read in pieces: whatever a prefix decided (a reply or malformed), the whole input
  // decides the same; only "incomplete" may change.
  const auto half = ParseServerReply(bytes.first(size / 2));
  if (half) {
    PORTWARDEN_FUZZ_CHECK(whole && SameReply(*half, *whole));
  } else if (!half.error().incomplete) {
    PORTWARDEN_FUZZ_CHECK(!whole && !whole.error().incomplete);
  }
  return 0;
}
