#include "agent/firewall/nft_reader.h"

#include <cstring>
#include <memory>

#include <nftables/libnftables.h>

#include "agent/firewall/nft_json.h"

namespace portwarden::firewall {
namespace {

struct NftCtxDeleter {
  void operator()(nft_ctx* ctx) const { nft_ctx_free(ctx); }
};

using NftCtx = std::unique_ptr<nft_ctx, NftCtxDeleter>;

}  // namespace

Result<std::string> ListRulesetJson() {
  NftCtx ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) {
    return Fail("nft_ctx_new failed");
  }
  nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0) {
    return Fail("cannot buffer libnftables output");
  }
  if (nft_run_cmd_from_buffer(ctx.get(), "list ruleset") != 0) {
    const char* error = nft_ctx_get_error_buffer(ctx.get());
    std::string message = error != nullptr ? error : "";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    return Fail("nft list ruleset: " + (message.empty() ? "failed" : message) +
                " (reading the ruleset needs CAP_NET_ADMIN)");
  }
  const char* output = nft_ctx_get_output_buffer(ctx.get());
  const std::size_t length = output != nullptr ? ::strnlen(output, kMaxRulesetBytes + 1) : 0;
  if (length > kMaxRulesetBytes) {
    return Fail("ruleset JSON larger than " + std::to_string(kMaxRulesetBytes >> 20) + " MiB");
  }
  return std::string(output != nullptr ? output : "", length);
}

}  // namespace portwarden::firewall
