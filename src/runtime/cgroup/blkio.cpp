// The block I/O rows of the settings tables: blkio on v1, io on v2.
#include <algorithm>
#include <utility>

#include "runtime/cgroup/settings.hpp"

namespace stack::runtime::cgroup {

namespace {

std::string device(const DeviceLimit& d) {
  return std::to_string(d.major) + ":" + std::to_string(d.minor);
}

// v1 takes one "major:minor rate" line per write.
void throttle_v1(const char* file, const std::vector<DeviceLimit>& devices, std::vector<Setting>& out) {
  for (const auto& d : devices) out.push_back({"blkio", file, device(d) + " " + std::to_string(d.rate)});
}

}  // namespace

uint64_t blkio_to_io_weight(uint64_t weight) {
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

void blkio_settings_v1(const Limits& l, std::vector<Setting>& out) {
  if (l.blkio_weight) {
    // blkio.weight belonged to CFQ (gone since 5.0); BFQ offers the same range as blkio.bfq.weight.
    std::string w = std::to_string(*l.blkio_weight);
    out.push_back({"blkio", "blkio.weight", w, Need::required, "blkio.bfq.weight", w});
  }
  throttle_v1("blkio.throttle.read_bps_device", l.read_bps, out);
  throttle_v1("blkio.throttle.write_bps_device", l.write_bps, out);
  throttle_v1("blkio.throttle.read_iops_device", l.read_iops, out);
  throttle_v1("blkio.throttle.write_iops_device", l.write_iops, out);
}

void io_settings_v2(const Limits& l, std::vector<Setting>& out) {
  if (l.blkio_weight) {
    // io.weight (iocost) is 1..10000; io.bfq.weight keeps blkio's 1..1000 scale, as runc writes it.
    out.push_back({"io", "io.weight", "default " + std::to_string(blkio_to_io_weight(*l.blkio_weight)),
                   Need::required, "io.bfq.weight", "default " + std::to_string(*l.blkio_weight)});
  }
  // v2 has one line per device with every key: group the four lists by device, first seen first.
  std::vector<std::pair<std::string, std::string>> lines;
  auto add = [&](const char* key, const std::vector<DeviceLimit>& devices) {
    for (const auto& d : devices) {
      std::string dev = device(d);
      auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& p) { return p.first == dev; });
      if (it == lines.end()) it = lines.insert(lines.end(), {dev, dev});
      it->second += " " + std::string(key) + "=" + std::to_string(d.rate);
    }
  };
  add("rbps", l.read_bps);
  add("wbps", l.write_bps);
  add("riops", l.read_iops);
  add("wiops", l.write_iops);
  for (auto& [dev, line] : lines) out.push_back({"io", "io.max", line});
}

}  // namespace stack::runtime::cgroup
