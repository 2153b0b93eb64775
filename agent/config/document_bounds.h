#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "agent/core/error.h"

namespace portwarden::config {

/// Largest config file the agent reads (documented in docs/configuration.md).
inline constexpr std::size_t kMaxConfigBytes = 4 * 1024 * 1024;

/// Deepest nesting a config may have: table headers, arrays, inline tables and the parts of
/// a dotted key, counted together (real configs need fewer than 5).
inline constexpr int kMaxConfigNesting = 32;

/// Refuses a document larger than kMaxConfigBytes or nested deeper than kMaxConfigNesting,
/// before toml++ sees it. Errors read "<name>:<line>:<column>: ..." like every config error.
/// Pure and linear in the size of `text`.
Status CheckDocumentBounds(std::string_view text, const std::string& name);

}  // namespace portwarden::config
