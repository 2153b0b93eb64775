#include "agent/probe/getaddrinfo_lookup.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "agent/probe/failure_reason.h"

namespace portwarden::probe {
namespace {

/// Helper threads allowed at once. Only a resolver that leaves many different names unanswered
/// fills this; later lookups then wait for a slot within their own deadline.
constexpr std::size_t kMaxLookupsInFlight = 256;

/// What one lookup's helper thread shares with everyone waiting for it.
struct PendingLookup {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  LookupAnswer answer;
};

/// The lookups whose helper thread is still running, by family and name.
class InFlight {
 public:
  /// The lookup in flight for `key`, or a new one the caller must start (`start` = true);
  /// nullptr when no slot came free before the deadline or a cancel.
  std::shared_ptr<PendingLookup> Join(const std::string& key,
                                      const ProbeDeadline& deadline,
                                      bool& start) {
    std::unique_lock lock(mutex_);
    while (true) {
      if (const auto it = lookups_.find(key); it != lookups_.end()) {
        start = false;
        return it->second;
      }
      if (lookups_.size() < kMaxLookupsInFlight) {
        start = true;
        return lookups_.emplace(key, std::make_shared<PendingLookup>()).first->second;
      }
      const int slice = deadline.PollSliceMs();
      if (slice <= 0 || deadline.Cancelled()) {
        return nullptr;
      }
      slot_freed_.wait_for(lock, std::chrono::milliseconds(slice));
    }
  }

  /// Called by the helper thread when its lookup is done.
  void Forget(const std::string& key) {
    {
      const std::lock_guard lock(mutex_);
      lookups_.erase(key);
    }
    slot_freed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable slot_freed_;
  std::map<std::string, std::shared_ptr<PendingLookup>> lookups_;
};

/// Never destroyed: an abandoned helper thread may finish after main() has returned.
InFlight& Lookups() {
  static auto* in_flight = new InFlight;
  return *in_flight;
}

PhaseError Cancelled(const std::string& name) {
  return PhaseError{failure::kCancelled, name + ": cancelled while resolving"};
}

void Finish(PendingLookup& lookup, int code, AddrInfoList list) {
  {
    const std::lock_guard lock(lookup.mutex);
    lookup.answer.code = code;
    lookup.answer.list = std::move(list);
    lookup.done = true;
  }
  lookup.finished.notify_all();
}

void RunLookup(const std::string& key,
               const std::string& name,
               int family,
               const std::shared_ptr<PendingLookup>& lookup) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  addrinfo* raw = nullptr;
  const int code = getaddrinfo(name.c_str(), nullptr, &hints, &raw);
  Finish(*lookup, code, AddrInfoList(raw));
  Lookups().Forget(key);
}

/// Starts the helper thread; if the system refuses one, the lookup ends as a resolver failure.
void Start(const std::string& key,
           const std::string& name,
           int family,
           const std::shared_ptr<PendingLookup>& lookup) {
  try {
    std::thread([key, name, family, lookup] { RunLookup(key, name, family, lookup); }).detach();
  } catch (const std::system_error&) {
    Finish(*lookup, EAI_AGAIN, nullptr);
    Lookups().Forget(key);
  }
}

PhaseResult<std::shared_ptr<const LookupAnswer>> Await(const std::shared_ptr<PendingLookup>& lookup,
                                                       const std::string& name,
                                                       const ProbeDeadline& deadline) {
  std::unique_lock lock(lookup->mutex);
  while (!lookup->done) {
    if (deadline.Cancelled()) {
      return std::unexpected(Cancelled(name));
    }
    const int slice = deadline.PollSliceMs();
    if (slice <= 0) {
      return std::unexpected(PhaseError{
          failure::kDnsTimeout, name + ": no answer from the resolver before the deadline"});
    }
    lookup->finished.wait_for(lock, std::chrono::milliseconds(slice));
  }
  // Shares ownership of the whole state: the answer lives as long as the caller needs it.
  return std::shared_ptr<const LookupAnswer>(lookup, &lookup->answer);
}

}  // namespace

int FamilyHint(config::IpFamily family) {
  switch (family) {
    case config::IpFamily::kIpv4:
      return AF_INET;
    case config::IpFamily::kIpv6:
      return AF_INET6;
    case config::IpFamily::kAny:
      break;
  }
  return AF_UNSPEC;
}

PhaseResult<std::shared_ptr<const LookupAnswer>> LookUpName(const std::string& name,
                                                            config::IpFamily family,
                                                            const ProbeDeadline& deadline) {
  if (deadline.Cancelled()) {
    return std::unexpected(Cancelled(name));
  }
  const int hint = FamilyHint(family);
  const std::string key = std::to_string(hint) + '|' + name;
  bool start = false;
  const std::shared_ptr<PendingLookup> lookup = Lookups().Join(key, deadline, start);
  if (!lookup) {
    return std::unexpected(
        deadline.Cancelled()
            ? Cancelled(name)
            : PhaseError{failure::kDnsTimeout,
                         name + ": too many earlier lookups still unanswered by the resolver"});
  }
  if (start) {
    Start(key, name, hint, lookup);
  }
  return Await(lookup, name, deadline);
}

}  // namespace portwarden::probe
