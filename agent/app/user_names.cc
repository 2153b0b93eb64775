#include "agent/app/user_names.h"

#include <pwd.h>

#include <vector>

#include "agent/core/text_sanitize.h"

namespace portwarden::app {

const std::string& UserNames::Name(uid_t uid) {
  auto it = names_.find(uid);
  if (it != names_.end()) {
    return it->second;
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  std::string name = std::to_string(uid);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    name = text::Sanitize(found->pw_name, text::Kind::kProcessName);
  }
  return names_.emplace(uid, std::move(name)).first->second;
}

}  // namespace portwarden::app
