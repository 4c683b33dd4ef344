// The mapping from Limits to cgroup files is data: settings_v1/settings_v2 return the list of
// (controller, file, value) to write, in order, and the managers only write that list. The tables
// are pure and unit-tested; docs/cgroups.md shows them side by side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/cgroup/limits.hpp"

namespace stack::runtime::cgroup {

// What the writer does when the file is absent in the cgroup directory.
enum class Need {
  required,    // error naming the controller: the user asked for this limit
  if_present,  // skip with a note: the value is the kernel's default anyway (e.g. swap -1)
};

struct Setting {
  std::string controller;  // "memory", "cpu", "cpuset", "pids", "blkio" (v1) / "io" (v2)
  std::string file;        // "memory.limit_in_bytes"
  std::string value;       // what is written, exactly
  Need need = Need::required;
  // Written instead when `file` is absent: kernels with BFQ and no CFQ only have the bfq weight file.
  std::string alt_file;
  std::string alt_value;

  bool operator==(const Setting&) const = default;
};

std::vector<Setting> settings_v1(const Limits& limits);
std::vector<Setting> settings_v2(const Limits& limits);

// docker cpu shares (2..262144) to cgroup v2 cpu.weight (1..10000), the formula runc and crun use.
uint64_t shares_to_weight(uint64_t shares);
// blkio weight (10..1000) to cgroup v2 io.weight (1..10000), the formula runc and crun use.
uint64_t blkio_to_io_weight(uint64_t weight);

// Per-controller halves of the tables (memory.cpp, cpu.cpp, blkio.cpp); settings.cpp composes them.
void memory_settings_v1(const Limits& limits, std::vector<Setting>& out);
void memory_settings_v2(const Limits& limits, std::vector<Setting>& out);
void cpu_settings_v1(const Limits& limits, std::vector<Setting>& out);
void cpu_settings_v2(const Limits& limits, std::vector<Setting>& out);
void blkio_settings_v1(const Limits& limits, std::vector<Setting>& out);
void io_settings_v2(const Limits& limits, std::vector<Setting>& out);

}  // namespace stack::runtime::cgroup
