#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace portwarden::app {

/// uid → user name through NSS (getpwuid_r), each uid looked up once; the number itself when
/// the uid has no name. For the terminal and the report. Not thread-safe.
class UserNames {
 public:
  const std::string& Name(uid_t uid);

 private:
  std::map<uid_t, std::string> names_;
};

}  // namespace portwarden::app
