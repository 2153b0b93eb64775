#include "agent/probe/failure_reason.h"

#include <array>

namespace portwarden::probe::failure {

std::span<const std::string_view> All() {
  static constexpr std::array kAll{
      kDns,      kDnsTimeout,  kNetns,     kConnectRefused, kConnectTimeout, kConnectError,
      kTlsSetup, kTlsTimeout,  kTlsFlood,  kTlsAlert,       kTlsEof,         kTlsProtocol,
      kVerify,   kHttpTimeout, kHttpError, kHttpStatus,     kCancelled};
  return kAll;
}

}  // namespace portwarden::probe::failure
