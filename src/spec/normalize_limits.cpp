// blkio_config and ulimits: per-device I/O limits and rlimits.
#include <algorithm>
#include <array>

#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"
#include "spec/suggest.hpp"

namespace stack::spec {

namespace {

// A list of {path, rate} (or {path, weight}); rates are sizes for *_bps and counts otherwise.
void read_device_list(ServiceDraft& d, const Node& v, const std::string& p, std::string_view field,
                      bool sizes, std::vector<DeviceRate>& out) {
  if (!expect_sequence(v, p, *d.diags)) return;
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    if (!expect_mapping(item, at, *d.diags)) continue;
    std::array<std::string_view, 2> keys{"path", field};
    check_keys(item, at, keys, *d.diags);
    const Node* path = item.find("path");
    const Node* value = item.find(field);
    if (!path || !value) {
      d.error(item, at, "needs 'path' and '" + std::string(field) + "'");
      continue;
    }
    auto dev = read_string(*path, join_path(at, "path"), *d.diags);
    if (dev && (dev->empty() || (*dev)[0] != '/'))
      d.error(*path, join_path(at, "path"), "must be an absolute device path");
    std::string vp = join_path(at, field);
    std::optional<int64_t> n;
    if (field == "weight") n = read_int(*value, vp, *d.diags, 10, 1000);
    else if (sizes) n = read_bytes(*value, vp, *d.diags);
    else n = read_int(*value, vp, *d.diags, 0);
    // A rate of 0 is docker's "no limit" for that device (cgroup v1 removes the rule).
    if (dev && n && (field == "weight" || *n != 0)) out.push_back(DeviceRate{*dev, uint64_t(*n)});
  }
}

}  // namespace

void read_blkio(ServiceDraft& d, const Node& v, const std::string& p) {
  static constexpr std::string_view kKeys[] = {
      "weight", "weight_device", "device_read_bps", "device_write_bps", "device_read_iops",
      "device_write_iops"};
  if (!expect_mapping(v, p, *d.diags)) return;
  check_keys(v, p, kKeys, *d.diags);
  Blkio& b = d.service.resources.blkio;
  if (const Node* n = v.find("weight")) {
    // 0 is docker's "unset"; anything else must be in the kernel's range.
    if (auto w = read_int(*n, join_path(p, "weight"), *d.diags, 0, 1000)) {
      if (*w != 0 && *w < 10) d.error(*n, join_path(p, "weight"), "must be 0 or between 10 and 1000");
      else if (*w != 0) b.weight = uint16_t(*w);
    }
  }
  struct Entry {
    std::string_view key, field;
    bool sizes;
    std::vector<DeviceRate> Blkio::*out;
  };
  static constexpr Entry kLists[] = {
      {"weight_device", "weight", false, &Blkio::weight_device},
      {"device_read_bps", "rate", true, &Blkio::device_read_bps},
      {"device_write_bps", "rate", true, &Blkio::device_write_bps},
      {"device_read_iops", "rate", false, &Blkio::device_read_iops},
      {"device_write_iops", "rate", false, &Blkio::device_write_iops},
  };
  for (const auto& e : kLists)
    if (const Node* n = v.find(e.key))
      read_device_list(d, *n, join_path(p, e.key), e.field, e.sizes, b.*e.out);
}

namespace {

// The rlimits docker knows by name (RLIMIT_* without the prefix, lower case).
constexpr std::array<std::string_view, 16> kUlimitNames{
    "as",    "core",   "cpu",    "data",   "fsize",  "locks",  "memlock",    "msgqueue",
    "nice",  "nofile", "nproc",  "rss",    "rtprio", "rttime", "sigpending", "stack"};

std::optional<Ulimit> read_ulimit(ServiceDraft& d, const Node& v, const std::string& p) {
  if (v.is_scalar()) {
    auto n = read_int(v, p, *d.diags, -1);
    if (!n) return std::nullopt;
    return Ulimit{*n, *n};
  }
  if (!v.is_mapping()) {
    type_error(v, p, "an integer or a mapping", *d.diags);
    return std::nullopt;
  }
  static constexpr std::string_view kKeys[] = {"soft", "hard"};
  check_keys(v, p, kKeys, *d.diags);
  const Node* soft = v.find("soft");
  const Node* hard = v.find("hard");
  if (!soft || !hard) {
    d.error(v, p, "needs both 'soft' and 'hard'");
    return std::nullopt;
  }
  auto s = read_int(*soft, join_path(p, "soft"), *d.diags, -1);
  auto h = read_int(*hard, join_path(p, "hard"), *d.diags, -1);
  if (!s || !h) return std::nullopt;
  // -1 is unlimited, so it is above every number.
  bool above = *h != -1 && (*s == -1 || *s > *h);
  if (above) {
    d.error(*soft, join_path(p, "soft"),
            "soft limit " + std::to_string(*s) + " is above hard limit " + std::to_string(*h));
    return std::nullopt;
  }
  return Ulimit{*s, *h};
}

}  // namespace

void read_ulimits(ServiceDraft& d, const Node& v, const std::string& p) {
  if (!expect_mapping(v, p, *d.diags)) return;
  for (const auto& [k, val] : v.entries) {
    std::string at = join_path(p, k.scalar);
    if (std::find(kUlimitNames.begin(), kUlimitNames.end(), k.scalar) == kUlimitNames.end()) {
      d.error(k, at, "unknown ulimit '" + k.scalar + "'" + did_you_mean(k.scalar, kUlimitNames));
      continue;
    }
    if (auto u = read_ulimit(d, val, at)) d.service.ulimits[k.scalar] = *u;
  }
}

}  // namespace stack::spec
