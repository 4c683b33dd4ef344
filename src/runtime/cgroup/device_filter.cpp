#include "runtime/cgroup/device_filter.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

#include "util/fd.hpp"

namespace stack::runtime::cgroup {

using util::Errc;
using util::Result;

namespace {

// The registers of the program: r1 the context (struct bpf_cgroup_dev_ctx), then what is loaded from it.
constexpr std::uint8_t kCtx = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5, kScratch = 1, kRet = 0;

bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

bpf_insn load_u32(std::uint8_t dst, std::int16_t offset) { return insn(BPF_LDX | BPF_MEM | BPF_W, dst, kCtx, offset, 0); }
bpf_insn alu_imm(std::uint8_t op, std::uint8_t dst, std::int32_t imm) { return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
bpf_insn move_reg(std::uint8_t dst, std::uint8_t src) { return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
// The jump offset is filled in once the block's length is known.
bpf_insn jump_if_not_equal(std::uint8_t reg, std::int32_t imm) { return insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm); }
bpf_insn exit_insn() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

std::vector<bpf_insn> rule_block(const DeviceRule& rule) {
  std::vector<bpf_insn> block;
  if (rule.type != DeviceType::all) {
    block.push_back(jump_if_not_equal(kType, rule.type == DeviceType::block ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
  }
  if ((rule.access & kAccessAll) != kAccessAll) {
    // Allowed only when every requested bit is in the rule: (requested & ~allowed) == 0.
    block.push_back(move_reg(kScratch, kAccess));
    block.push_back(alu_imm(BPF_AND, kScratch, static_cast<std::int32_t>(~rule.access & kAccessAll)));
    block.push_back(jump_if_not_equal(kScratch, 0));
  }
  if (rule.major) block.push_back(jump_if_not_equal(kMajor, static_cast<std::int32_t>(*rule.major)));
  if (rule.minor) block.push_back(jump_if_not_equal(kMinor, static_cast<std::int32_t>(*rule.minor)));
  block.push_back(alu_imm(BPF_MOV, kRet, 1));
  block.push_back(exit_insn());
  // Every jump of the block lands on the first instruction after it.
  for (std::size_t i = 0; i < block.size(); ++i) {
    if (block[i].code == (BPF_JMP | BPF_JNE | BPF_K)) block[i].off = static_cast<std::int16_t>(block.size() - i - 1);
  }
  return block;
}

long bpf(int command, bpf_attr& attr) { return ::syscall(SYS_bpf, command, &attr, sizeof(attr)); }

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> program = {
      load_u32(kType, offsetof(bpf_cgroup_dev_ctx, access_type)),
      alu_imm(BPF_AND, kType, 0xffff),  // the low half: block or char
      load_u32(kAccess, offsetof(bpf_cgroup_dev_ctx, access_type)),
      alu_imm(BPF_RSH, kAccess, 16),  // the high half: mknod, read, write
      load_u32(kMajor, offsetof(bpf_cgroup_dev_ctx, major)),
      load_u32(kMinor, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  for (const auto& rule : rules) {
    auto block = rule_block(rule);
    program.insert(program.end(), block.begin(), block.end());
  }
  program.push_back(alu_imm(BPF_MOV, kRet, 0));
  program.push_back(exit_insn());
  return program;
}

Result<void> attach_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> program = device_program(rules);
  static const char kLicense[] = "Apache-2.0";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<std::uintptr_t>(program.data());
  load.insn_cnt = static_cast<std::uint32_t>(program.size());
  load.license = reinterpret_cast<std::uintptr_t>(kLicense);
  long prog = bpf(BPF_PROG_LOAD, load);
  if (prog < 0) {
    int err = errno;
    // Again with the verifier's log, which says why (a verbose log on every load could overflow).
    std::vector<char> log(64 * 1024);
    load.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
    load.log_size = static_cast<std::uint32_t>(log.size());
    load.log_level = 1;
    (void)bpf(BPF_PROG_LOAD, load);
    std::string text(log.data());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (auto nl = text.rfind('\n'); nl != std::string::npos) text = text.substr(nl + 1);  // the verdict
    return util::Error::from_errno("load the device filter (eBPF)" + (text.empty() ? "" : " [" + text + "]"), err);
  }
  util::UniqueFd program_fd(static_cast<int>(prog));
  STACK_ASSIGN_OR_RETURN(util::UniqueFd dir, util::UniqueFd::open(cgroup_dir, O_RDONLY | O_DIRECTORY));
  bpf_attr attach{};
  attach.target_fd = static_cast<std::uint32_t>(dir.get());
  attach.attach_bpf_fd = static_cast<std::uint32_t>(program_fd.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = 0;  // one program per cgroup: attaching again replaces it
  if (bpf(BPF_PROG_ATTACH, attach) < 0) return util::Error::from_errno("attach the device filter to '" + cgroup_dir + "'");
  return util::ok();
}

}  // namespace stack::runtime::cgroup
