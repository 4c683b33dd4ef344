#include "runtime/container/report.hpp"

#include <cstdint>
#include <cstring>

#include "util/fd.hpp"

namespace stack::runtime {

using util::Errc;
using util::Error;

StepError StepError::from(std::string_view step, const Error& error) {
  // What within the step failed, when the error says (group_add within "user").
  std::string subject = error.subject().empty() ? std::string(step) : error.subject();
  return StepError{subject, error.sys_errno(), error.code(), error.message()};
}

Error StepError::to_error() const { return Error(code, detail, error_number).with_subject(step); }

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

std::uint32_t get_u32(std::string_view in, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, in.data() + at, 4);
  return v;
}

}  // namespace

// Layout: u32 size of the rest | u32 errno | u32 code | u32 step length | step | detail.
std::string encode_report(const StepError& r) {
  std::size_t room = kMaxReportSize - 16 - r.step.size();
  std::string detail = r.detail.substr(0, room);
  std::string out;
  put_u32(out, static_cast<std::uint32_t>(12 + r.step.size() + detail.size()));
  put_u32(out, static_cast<std::uint32_t>(r.error_number));
  put_u32(out, static_cast<std::uint32_t>(r.code));
  put_u32(out, static_cast<std::uint32_t>(r.step.size()));
  out += r.step;
  out += detail;
  return out;
}

Result<std::optional<StepError>> decode_report(std::string_view in) {
  if (in.empty()) return std::optional<StepError>();
  Error bad(Errc::parse, "malformed error report from the container process");
  if (in.size() < 16) return bad;
  std::uint32_t size = get_u32(in, 0);
  if (size != in.size() - 4) return bad;
  std::uint32_t step_len = get_u32(in, 12);
  if (step_len > size - 12) return bad;
  std::uint32_t code = get_u32(in, 8);
  if (code > static_cast<std::uint32_t>(Errc::internal)) return bad;
  StepError r;
  r.error_number = static_cast<int>(get_u32(in, 4));
  r.code = static_cast<Errc>(code);
  r.step = std::string(in.substr(16, step_len));
  r.detail = std::string(in.substr(16 + step_len));
  return std::optional<StepError>(std::move(r));
}

void write_report(int fd, const StepError& report) {
  (void)util::write_all(fd, encode_report(report));
}

Result<std::optional<StepError>> read_report(int fd) {
  STACK_ASSIGN_OR_RETURN(std::string bytes, util::read_to_end(fd));
  return decode_report(bytes);
}

}  // namespace stack::runtime
