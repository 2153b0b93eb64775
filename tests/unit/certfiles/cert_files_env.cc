#include "cert_files_env.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace portwarden::certfiles::testing_support {
namespace {

// Made once per build tree (the script keeps them while it is unchanged).
class Generated {
 public:
  Generated() : dir_(PORTWARDEN_CERT_FILES_DIR) {
    const std::string command = std::string(PORTWARDEN_MAKE_CERT_FILES) + " " + dir_;
    if (std::system(command.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe): test set-up
      throw std::runtime_error("make_cert_files.sh failed");
    }
  }

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

std::string Normalise(const std::string& colon_hex) {
  std::string out;
  for (const char c : colon_hex) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

}  // namespace

const std::string& CertFilesDir() {
  static const Generated generated;
  return generated.dir();
}

std::string ReadGenerated(const std::string& name) {
  std::ifstream in(CertFilesDir() + "/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::string> ToolFingerprints(const std::string& name) {
  std::vector<std::string> out;
  std::istringstream lines(ReadGenerated(name));
  for (std::string line; std::getline(lines, line);) {
    for (const std::string marker : {"SHA256: ", "sha256 Fingerprint="}) {
      if (const auto at = line.find(marker); at != std::string::npos) {
        out.push_back(Normalise(line.substr(at + marker.size())));
      }
    }
  }
  return out;
}

std::string ToolField(const std::string& name, const std::string& key) {
  std::istringstream lines(ReadGenerated(name));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(key + "=")) {
      return line.substr(key.size() + 1);
    }
  }
  return "";
}

}  // namespace portwarden::certfiles::testing_support
