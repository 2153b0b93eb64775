#include "agent/inventory/btf_kind.h"

#include <linux/btf.h>

namespace portwarden::inventory {

long long BtfTrailingBytes(unsigned kind, unsigned vlen) {
  switch (kind) {
    case BTF_KIND_INT:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      return 4;
    case BTF_KIND_ARRAY:
      return sizeof(btf_array);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_DATASEC:
    case BTF_KIND_ENUM64:
      return 12LL * vlen;
    case BTF_KIND_ENUM:
    case BTF_KIND_FUNC_PROTO:
      return 8LL * vlen;
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
      return 0;
    default:
      return -1;
  }
}

}  // namespace portwarden::inventory
