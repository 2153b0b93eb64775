#pragma once

/// What the BTF readers (BtfIndex, ReadTaskFileLayout) share about the BTF type section.
namespace portwarden::inventory {

/// Bytes that follow a btf_type of `kind` (BTF_KIND_*) with `vlen` entries; -1 for a kind
/// not known here (a reader cannot step over it).
long long BtfTrailingBytes(unsigned kind, unsigned vlen);

}  // namespace portwarden::inventory
