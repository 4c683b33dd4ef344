#include "runtime/security/seccomp.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "util/fd.hpp"

namespace stack::runtime::security {

using util::Errc;
using util::Error;

namespace {

// Docker's default profile, as a deny list over an allow-all default (moby profiles/seccomp).
constexpr BlockedSyscall kBlocked[] = {
    {"acct", CAP_SYS_PACCT},         {"add_key", -1},
    {"bpf", CAP_SYS_ADMIN},          {"clock_adjtime", CAP_SYS_TIME},
    {"clock_settime", CAP_SYS_TIME}, {"create_module", -1},
    {"delete_module", CAP_SYS_MODULE}, {"finit_module", CAP_SYS_MODULE},
    {"fsconfig", CAP_SYS_ADMIN},     {"fsmount", CAP_SYS_ADMIN},
    {"fsopen", CAP_SYS_ADMIN},       {"fspick", CAP_SYS_ADMIN},
    {"get_kernel_syms", -1},         {"get_mempolicy", CAP_SYS_NICE},
    {"init_module", CAP_SYS_MODULE}, {"ioperm", CAP_SYS_RAWIO},
    {"iopl", CAP_SYS_RAWIO},         {"kcmp", CAP_SYS_PTRACE},
    {"kexec_file_load", CAP_SYS_BOOT}, {"kexec_load", CAP_SYS_BOOT},
    {"keyctl", -1},                  {"lookup_dcookie", CAP_SYS_ADMIN},
    {"mbind", CAP_SYS_NICE},         {"mount", CAP_SYS_ADMIN},
    {"mount_setattr", CAP_SYS_ADMIN}, {"move_mount", CAP_SYS_ADMIN},
    {"move_pages", CAP_SYS_NICE},    {"name_to_handle_at", CAP_SYS_ADMIN},
    {"nfsservctl", -1},              {"open_by_handle_at", CAP_DAC_READ_SEARCH},
    {"open_tree", CAP_SYS_ADMIN},    {"perf_event_open", CAP_SYS_ADMIN},
    {"pivot_root", CAP_SYS_ADMIN},   {"process_vm_readv", CAP_SYS_PTRACE},
    {"process_vm_writev", CAP_SYS_PTRACE}, {"ptrace", CAP_SYS_PTRACE},
    {"query_module", -1},            {"quotactl", CAP_SYS_ADMIN},
    {"reboot", CAP_SYS_BOOT},        {"request_key", -1},
    {"set_mempolicy", CAP_SYS_NICE}, {"setns", CAP_SYS_ADMIN},
    {"settimeofday", CAP_SYS_TIME},  {"stime", CAP_SYS_TIME},
    {"swapoff", CAP_SYS_ADMIN},      {"swapon", CAP_SYS_ADMIN},
    {"_sysctl", -1},                 {"sysfs", -1},
    {"syslog", CAP_SYSLOG},          {"umount", CAP_SYS_ADMIN},
    {"umount2", CAP_SYS_ADMIN},      {"unshare", CAP_SYS_ADMIN},
    {"uselib", -1},                  {"userfaultfd", -1},
    {"ustat", -1},                   {"vm86", -1},
    {"vm86old", -1},
};

// personality(2) stays allowed for these personas only: PER_LINUX, UNAME26, PER_LINUX32,
// PER_LINUX32|UNAME26, and the 0xffffffff query. Bits 3 and 17 are the only ones they use.
constexpr std::uint32_t kPersonaBits = 0x20008;

// clone(2) may not make namespaces without CAP_SYS_ADMIN.
constexpr scmp_datum_t kNamespaceFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,
                                            CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
                                            CLONE_NEWCGROUP};

struct CtxDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, CtxDeleter>;

bool holds(CapSet caps, int cap) { return cap >= 0 && (caps & (CapSet{1} << cap)); }

Result<void> add_rule(scmp_filter_ctx ctx, std::uint32_t action, const char* name,
                      std::initializer_list<scmp_arg_cmp> args = {}) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return util::ok();  // not a system call on any of our arches
  int r = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()), args.begin());
  if (r < 0) return Error::from_errno(std::string("seccomp rule for '") + name + "'", -r);
  return util::ok();
}

// libseccomp refuses two comparisons on one argument in one rule, so "not one of five values"
// is built from single masked comparisons (rules are ORed). A refused value v has a bit outside
// the persona bits set and, not being 0xffffffff, some bit clear:
//   bit 0 clear: some other non-persona bit b is set   -> (v & (1|1<<b)) == 1<<b
//   bit 0 set:   some bit c is clear                   -> (v & (1|1<<c)) == 1
// The kernel takes the argument as 32 bits, so only the low 32 are looked at.
Result<void> add_personality_rules(scmp_filter_ctx ctx) {
  const std::uint32_t action = SCMP_ACT_ERRNO(EPERM);
  for (int bit = 1; bit < 32; ++bit) {
    scmp_datum_t b = scmp_datum_t{1} << bit;
    if (!(kPersonaBits & b)) {
      STACK_TRY(add_rule(ctx, action, "personality", {SCMP_A0(SCMP_CMP_MASKED_EQ, 1 | b, b)}));
    }
    STACK_TRY(add_rule(ctx, action, "personality", {SCMP_A0(SCMP_CMP_MASKED_EQ, 1 | b, 1)}));
  }
  return util::ok();
}

Result<void> add_arch_rules(scmp_filter_ctx ctx, CapSet caps) {
  for (const auto& b : kBlocked) {
    if (holds(caps, b.unless_capability)) continue;
    STACK_TRY(add_rule(ctx, SCMP_ACT_ERRNO(EPERM), b.name));
  }
  STACK_TRY(add_personality_rules(ctx));
  if (holds(caps, CAP_SYS_ADMIN)) return util::ok();
  for (scmp_datum_t flag : kNamespaceFlags) {
    STACK_TRY(add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)}));
  }
  // clone3 takes its flags in memory that seccomp cannot read: ENOSYS makes libc fall back to clone.
  return add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3");
}

}  // namespace

std::span<const BlockedSyscall> default_blocked_syscalls() { return kBlocked; }

ResolvedList resolve_blocked_syscalls() {
  ResolvedList out;
  for (const auto& b : kBlocked) {
    if (seccomp_syscall_resolve_name(b.name) == __NR_SCMP_ERROR) {
      out.unknown.emplace_back(b.name);
    } else {
      out.resolved.emplace_back(b.name);
    }
  }
  return out;
}

namespace {

Result<Filter> build_default_profile(CapSet caps) {
  Filter ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return Error(Errc::internal, "seccomp_init failed");
  // no_new_privs is the config's choice, made by its own step; libseccomp would force it.
  if (int r = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); r < 0) {
    return Error::from_errno("seccomp attribute", -r);
  }
  // 32-bit and x32 binaries run on x86-64 too; without their arches the kernel would kill them.
  if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
    for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
      int r = seccomp_arch_add(ctx.get(), arch);
      if (r < 0 && r != -EEXIST) return Error::from_errno("seccomp arch", -r);
    }
  }
  STACK_TRY(add_arch_rules(ctx.get(), caps));
  return ctx;
}

}  // namespace

Result<void> load_default_profile(CapSet caps) {
  STACK_ASSIGN_OR_RETURN(Filter ctx, build_default_profile(caps));
  if (int r = seccomp_load(ctx.get()); r < 0) return Error::from_errno("load seccomp filter", -r);
  return util::ok();
}

Result<std::string> compile_default_profile(CapSet caps) {
  STACK_ASSIGN_OR_RETURN(Filter ctx, build_default_profile(caps));
  // libseccomp 2.5 exports only to a descriptor; the program (a few KiB) fits a pipe's buffer.
  STACK_ASSIGN_OR_RETURN(util::Pipe pipe, util::Pipe::make(O_CLOEXEC | O_NONBLOCK));
  if (int r = seccomp_export_bpf(ctx.get(), pipe.write.get()); r < 0) {
    return Error::from_errno("export seccomp filter", -r);
  }
  pipe.write.reset();
  std::string bytes;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipe.read.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      // Drained, but a child that another thread is starting (vfork, then exec) may still hold
      // a copy of the write end until its exec closes it: wait for that end of file.
      pollfd p{pipe.read.get(), POLLIN, 0};
      (void)::poll(&p, 1, -1);
      continue;
    }
    if (n < 0) return Error::from_errno("read seccomp filter");
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  return bytes;
}

Result<void> load_compiled_profile(const std::string& program) {
  if (program.empty() || program.size() % sizeof(sock_filter) != 0 ||
      program.size() / sizeof(sock_filter) > BPF_MAXINSNS) {
    return Error(Errc::invalid_argument, "seccomp program: not a whole BPF program");
  }
  std::vector<sock_filter> filter(program.size() / sizeof(sock_filter));
  std::memcpy(filter.data(), program.data(), program.size());
  sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
  if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    return Error::from_errno("load seccomp filter");
  }
  return util::ok();
}

}  // namespace stack::runtime::security
