// The cgroup v2 device program, run by a small interpreter of the instructions it uses, on the
// accesses the kernel would ask about: the rules decide, in order, and anything else is denied.
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/cgroup/device_filter.hpp"

namespace stack::runtime::cgroup {
namespace {

// Runs the program on one bpf_cgroup_dev_ctx; fails the test on an instruction it does not know.
int run(const std::vector<bpf_insn>& program, std::uint32_t type, std::uint32_t access, std::uint32_t major,
        std::uint32_t minor) {
  bpf_cgroup_dev_ctx ctx{(access << 16) | type, major, minor};
  std::uint64_t reg[11] = {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(&ctx);
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const bpf_insn& i = program[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        EXPECT_EQ(i.src_reg, 1) << "loads read the context";
        std::uint32_t v = 0;
        std::memcpy(&v, bytes + i.off, sizeof(v));
        reg[i.dst_reg] = v;
        break;
      }
      case BPF_ALU64 | BPF_AND | BPF_K: reg[i.dst_reg] &= static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm)); break;
      case BPF_ALU64 | BPF_RSH | BPF_K: reg[i.dst_reg] >>= i.imm; break;
      case BPF_ALU64 | BPF_MOV | BPF_K: reg[i.dst_reg] = static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm)); break;
      case BPF_ALU64 | BPF_MOV | BPF_X: reg[i.dst_reg] = reg[i.src_reg]; break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[i.dst_reg] != static_cast<std::uint64_t>(static_cast<std::int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(reg[0]);
      default: ADD_FAILURE() << "unknown instruction " << int(i.code); return -1;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return -1;
}

constexpr std::uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr std::uint32_t kRead = BPF_DEVCG_ACC_READ, kWrite = BPF_DEVCG_ACC_WRITE, kMknod = BPF_DEVCG_ACC_MKNOD;

TEST(DeviceProgram, TheDefaultsAllowTheUsualNodesAndMknodOnly) {
  auto program = device_program(default_device_rules());
  EXPECT_EQ(run(program, kChar, kRead | kWrite, 1, 3), 1);     // /dev/null
  EXPECT_EQ(run(program, kChar, kRead, 1, 9), 1);              // urandom
  EXPECT_EQ(run(program, kChar, kRead | kWrite, 136, 7), 1);   // a pty of the container
  EXPECT_EQ(run(program, kBlock, kMknod, 8, 0), 1);            // mknod of anything
  EXPECT_EQ(run(program, kBlock, kRead, 8, 0), 0);             // but not reading the host's disk
  EXPECT_EQ(run(program, kBlock, kRead, 7, 0), 0);
  EXPECT_EQ(run(program, kChar, kRead, 1, 11), 0);             // kmsg
  EXPECT_EQ(run(program, kChar, kRead, 1, 1), 0);              // mem
  EXPECT_EQ(run(program, kChar, kRead | kWrite, 3, 1), 0);     // 1:3 is not 3:1
}

TEST(DeviceProgram, AccessMustBeWithinTheRule) {
  auto program = device_program({DeviceRule{DeviceType::block, 7, 0, util::kAccessRead}});
  EXPECT_EQ(run(program, kBlock, kRead, 7, 0), 1);
  EXPECT_EQ(run(program, kBlock, kWrite, 7, 0), 0);
  EXPECT_EQ(run(program, kBlock, kRead | kWrite, 7, 0), 0);
  EXPECT_EQ(run(program, kChar, kRead, 7, 0), 0);  // the type counts
  EXPECT_EQ(run(program, kBlock, kRead, 7, 1), 0);
}

TEST(DeviceProgram, WildcardsMatchAnyNumberAndAnyType) {
  auto program = device_program({DeviceRule{DeviceType::all, 189, std::nullopt, util::kAccessAll}});
  EXPECT_EQ(run(program, kChar, kRead | kWrite, 189, 0), 1);
  EXPECT_EQ(run(program, kBlock, kRead, 189, 42), 1);
  EXPECT_EQ(run(program, kChar, kRead, 188, 0), 0);
  EXPECT_EQ(run(device_program({DeviceRule{}}), kBlock, kRead | kWrite | kMknod, 8, 0), 1);
}

TEST(DeviceProgram, NoRulesDenyEverything) {
  auto program = device_program({});
  EXPECT_EQ(run(program, kChar, kRead, 1, 3), 0);
}

}  // namespace
}  // namespace stack::runtime::cgroup
