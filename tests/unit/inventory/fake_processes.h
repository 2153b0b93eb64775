#pragma once

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/inventory/fd_walker.h"

namespace portwarden::inventory::testing {

/// Fake (labelled): a host's processes held in memory, for the ProcessResolver's ordering,
/// caching and top-most-holder logic without /proc. Records every read so a test can check
/// what was visited and in which order. Serves both seams: ProcessReader (pid by pid) and,
/// through FakeFdWalker, the one-pass walk.
class FakeProcesses {
 public:
  struct Process {
    unsigned long long start_time = 1;
    int ppid = 0;
    std::string comm;
    std::vector<std::uint64_t> inodes;
    long long extra_fds = 1;  ///< non-socket fds, counted in the stamp's fd count
  };

  void Add(int pid, std::string comm, std::vector<std::uint64_t> inodes, int ppid = 0) {
    processes_[pid] = Process{1, ppid, std::move(comm), std::move(inodes), 1};
  }

  void Remove(int pid) { processes_.erase(pid); }

  Process& at(int pid) { return processes_.at(pid); }

  /// The tables the one-pass walk reports: every process holding a socket, ascending pid.
  std::vector<FdTable> Snapshot() const {
    std::vector<FdTable> tables;
    for (const auto& [pid, process] : processes_) {
      if (!process.inodes.empty()) {
        tables.push_back(Table(pid, process));
      }
    }
    return tables;
  }

  static FdTable Table(int pid, const Process& process) {
    FdTable table;
    table.pid = pid;
    table.opened = true;
    table.inodes = process.inodes;
    table.fds_read = static_cast<int>(process.inodes.size() + process.extra_fds);
    return table;
  }

  std::map<int, Process> processes_;
  std::vector<int> fd_reads;     ///< pids whose fd table was read pid by pid, in order
  std::vector<int> stamp_reads;  ///< pids whose stamp was checked
  int list_calls = 0;
};

/// The ProcessReader side of FakeProcesses (owned by the resolver; the data stays the test's).
class FakeReader final : public ProcessReader {
 public:
  explicit FakeReader(FakeProcesses& host) : host_(host) {}

  std::optional<std::vector<int>> ListPids() override {
    ++host_.list_calls;
    std::vector<int> pids;
    for (const auto& [pid, process] : host_.processes_) {
      pids.push_back(pid);
    }
    return pids;
  }

  std::vector<FdTable> ReadFdTables(std::span<const int> pids, bool /*parallel*/) override {
    std::vector<FdTable> tables;
    for (const int pid : pids) {
      host_.fd_reads.push_back(pid);
      const auto it = host_.processes_.find(pid);
      if (it == host_.processes_.end()) {
        FdTable gone;
        gone.pid = pid;
        gone.vanished = 1;
        tables.push_back(gone);
      } else {
        tables.push_back(FakeProcesses::Table(pid, it->second));
      }
    }
    return tables;
  }

  std::optional<ProcessRecord> ReadProcess(int pid) override {
    const auto it = host_.processes_.find(pid);
    if (it == host_.processes_.end()) {
      return std::nullopt;
    }
    ProcessRecord record;
    record.stamp = Stamp(it->second);
    record.ppid = it->second.ppid;
    record.info.pid = pid;
    record.info.comm = it->second.comm;
    record.info.holder_count = 1;
    return record;
  }

  std::optional<ProcessStamp> ReadStamp(int pid) override {
    host_.stamp_reads.push_back(pid);
    const auto it = host_.processes_.find(pid);
    if (it == host_.processes_.end()) {
      return std::nullopt;
    }
    return Stamp(it->second);
  }

 private:
  static ProcessStamp Stamp(const FakeProcesses::Process& process) {
    return {process.start_time, static_cast<long long>(process.inodes.size()) + process.extra_fds};
  }

  FakeProcesses& host_;
};

/// The one-pass walker side (fake, labelled): Walk() returns the current snapshot, or the
/// configured error. Counts walks (atomic: a prefetch walks on a helper thread).
class FakeFdWalker final : public FdWalker {
 public:
  explicit FakeFdWalker(const FakeProcesses& host) : host_(host) {}

  Result<std::vector<FdTable>> Walk() const override {
    ++walks_;
    if (fail_) {
      return Fail("fake walk failure", EIO);
    }
    if (frozen_) {
      auto tables = std::move(*frozen_);
      frozen_.reset();
      return tables;
    }
    return host_.Snapshot();
  }

  /// The next Walk() reports the processes as they are now, whatever changes after (a
  /// prefetched walk runs on a helper thread: it must not read what the test then changes).
  void Freeze() { frozen_ = host_.Snapshot(); }

  void set_fail(bool fail) { fail_ = fail; }

  int walks() const { return walks_; }

 private:
  const FakeProcesses& host_;
  bool fail_ = false;
  mutable std::optional<std::vector<FdTable>> frozen_;
  mutable std::atomic<int> walks_{0};
};

}  // namespace portwarden::inventory::testing
