#include "agent/certfiles/cert_file_collector.h"

#include <glob.h>

#include <cerrno>
#include <memory>
#include <set>
#include <utility>

#include "agent/certfiles/cert_file_parser.h"
#include "agent/core/error.h"
#include "agent/core/log.h"
#include "agent/core/text_sanitize.h"

namespace portwarden::certfiles {
namespace {

constexpr std::size_t kMaxPasswordBytes = 4096;

bool HasGlob(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

struct GlobDeleter {
  void operator()(glob_t* g) const {
    globfree(g);
    delete g;  // NOLINT(cppcoreguidelines-owning-memory): paired with the new below
  }
};

CertFileError ReadError(const std::string& label, const FileReadError& error) {
  FileError reason = FileError::kReadError;
  switch (error.failure) {
    case FileReadFailure::kOpen:
    case FileReadFailure::kStat:
      reason = ErrnoReason(error.err);
      break;
    case FileReadFailure::kNotRegular:
      reason = FileError::kNotRegularFile;
      break;
    case FileReadFailure::kTooLarge:
      reason = FileError::kTooLarge;
      break;
    case FileReadFailure::kRead:
      reason = FileError::kReadError;
      break;
  }
  return {label, reason,
          text::Sanitize(DescribeFileReadError(error, kMaxCertificateFileBytes),
                         text::Kind::kErrorText)};
}

// The first line of the password file, without its line end.
std::string FirstLine(std::string text) {
  if (const auto end = text.find_first_of("\r\n"); end != std::string::npos) {
    text.resize(end);
  }
  return text;
}

}  // namespace

FileError ErrnoReason(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return FileError::kNotFound;
    case EACCES:
    case EPERM:
      return FileError::kPermissionDenied;
    case ELOOP:
      return FileError::kSymlinkLoop;
    default:
      return FileError::kReadError;
  }
}

std::vector<std::string> ExpandPattern(const std::string& pattern) {
  if (!HasGlob(pattern)) {
    return {pattern};
  }
  const std::unique_ptr<glob_t, GlobDeleter> matches(new glob_t{});
  std::vector<std::string> out;
  if (::glob(pattern.c_str(), GLOB_MARK, nullptr, matches.get()) != 0) {
    return out;  // GLOB_NOMATCH, or an error reading a directory: nothing matched
  }
  for (std::size_t i = 0; i < matches->gl_pathc; ++i) {
    std::string path = matches->gl_pathv[i];
    if (!path.empty() && path.back() != '/') {  // GLOB_MARK: directories end in '/'
      out.push_back(std::move(path));
    }
  }
  return out;
}

CertFileCollector::Password CertFileCollector::ReadPassword(const std::string& path) {
  Password password;
  if (path.empty()) {
    return password;
  }
  auto file = ReadBoundedFile(path, kMaxPasswordBytes);
  if (!file) {
    CertFileError error = ReadError(text::Sanitize(path, text::Kind::kExePath), file.error());
    error.detail = "password_file: " + error.detail;
    error.reason = FileError::kPasswordFileError;
    password.error = std::move(error);
    return password;
  }
  password.text = FirstLine(std::move(file->bytes));
  password.stamp = file->stamp;
  return password;
}

CertFileCollector::Cached& CertFileCollector::Refresh(const std::string& path,
                                                      const std::string& label,
                                                      const Password& password) {
  Cached& cached = cache_[path];
  const auto stamp = StampOf(path);
  if (stamp && cached.stamp == *stamp && cached.password_stamp == password.stamp) {
    return cached;  // unchanged since it was parsed
  }
  const std::optional<FileError> previous =
      cached.error ? std::optional(cached.error->reason) : std::nullopt;
  cached = Cached{};
  ++parsed_;
  cached.password_stamp = password.stamp;
  auto file = ReadBoundedFile(path, kMaxCertificateFileBytes);
  if (!file) {
    cached.error = ReadError(label, file.error());
  } else {
    cached.stamp = file->stamp;
    auto parsed = ParseCertificateFile(file->bytes, password.text);
    if (!parsed) {
      cached.error = CertFileError{label, parsed.error().reason, parsed.error().detail};
    } else {
      for (std::size_t i = 0; i < parsed->certificates.size(); ++i) {
        cached.certificates.push_back(
            DescribeDiskCertificate(parsed->certificates[i].get(), label, static_cast<int>(i)));
      }
      if (parsed->problem) {
        cached.error = CertFileError{label, parsed->problem->reason, parsed->problem->detail};
      }
      log::Debug("Read certificate file",
                 {{"path", label},
                  {"format", std::string(parsed->format)},
                  {"certificates", static_cast<int>(cached.certificates.size())}});
    }
  }
  if (cached.error && previous != cached.error->reason) {
    log::Warn("Certificate file unusable",
              {{"path", label},
               {"reason", std::string(FileErrorName(cached.error->reason))},
               {"err", cached.error->detail}});
  }
  return cached;
}

CertFileReport CertFileCollector::Collect(
    const std::vector<config::CertificateSourceConfig>& sources) {
  CertFileReport report;
  std::set<std::string> seen_paths;
  std::set<std::string> seen_labels;
  std::map<std::string, Cached> kept;
  for (const auto& source : sources) {
    const Password password = ReadPassword(source.password_file);
    if (password.error && seen_labels.insert(password.error->path).second) {
      report.errors.push_back(*password.error);
    }
    for (const std::string& pattern : source.paths) {
      const std::string pattern_label = text::Sanitize(pattern, text::Kind::kExePath);
      const auto paths = ExpandPattern(pattern);
      if (paths.empty() && seen_labels.insert(pattern_label).second) {
        report.errors.push_back(
            {pattern_label, FileError::kNoMatch, "the pattern matched no file"});
      }
      for (const std::string& path : paths) {
        const std::string label = text::Sanitize(path, text::Kind::kExePath);
        if (!seen_paths.insert(path).second || !seen_labels.insert(label).second) {
          continue;  // named twice: reported once
        }
        if (report.files >= kMaxCertificateFiles) {
          report.errors.push_back({pattern_label, FileError::kTooManyFiles,
                                   "more than " + std::to_string(kMaxCertificateFiles) +
                                       " certificate files; the rest are not read"});
          break;
        }
        ++report.files;
        Cached& cached = Refresh(path, label, password);
        report.certificates.insert(report.certificates.end(), cached.certificates.begin(),
                                   cached.certificates.end());
        if (cached.error) {
          report.errors.push_back(*cached.error);
        }
        kept.emplace(path, std::move(cached));
      }
    }
  }
  // One series per (path, reason), however the sources overlap (a pattern in two sources).
  std::set<std::pair<std::string, FileError>> reported;
  std::erase_if(report.errors, [&](const CertFileError& error) {
    return !reported.emplace(error.path, error.reason).second;
  });
  cache_ = std::move(kept);  // files no longer matched are forgotten
  report.files_parsed = std::exchange(parsed_, 0);
  return report;
}

}  // namespace portwarden::certfiles
