#include "agent/firewall/verdict.h"

#include <algorithm>

namespace portwarden::firewall {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kAccept:
      return "accept";
    case Verdict::kDrop:
      return "drop";
    case Verdict::kUnknown:
      break;
  }
  return "unknown";
}

Scope EffectiveScope(Scope bind_scope, const ListenerFirewall& firewall) {
  Scope scope = firewall.published ? std::max(bind_scope, firewall.published_scope) : bind_scope;
  if (scope == Scope::kPublic && firewall.from_public == Verdict::kDrop) {
    scope = Scope::kPrivate;
  }
  if (scope == Scope::kPrivate && firewall.from_private == Verdict::kDrop) {
    scope = Scope::kLoopback;
  }
  return scope;
}

}  // namespace portwarden::firewall
