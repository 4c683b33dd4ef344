// Result<T>: a value or an Error, with the shape of std::expected so that it can become an alias
// once the toolchain has it. Errors carry a code, an errno and a message; context() prepends, so a
// failure reads as a chain: "creating veth 'stv1a2b': netlink: File exists".
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace stack::util {

enum class Errc {
  invalid_argument,  // bad user input
  not_found,
  already_exists,
  io,          // a system call failed; see sys_errno
  parse,       // malformed file or data
  unsupported, // valid input that this version does not implement
  conflict,    // the host or the state disagree with the request
  timeout,
  internal,
};

class [[nodiscard]] Error {
 public:
  Error(Errc code, std::string message, int sys_errno = 0)
      : code_(code), sys_errno_(sys_errno), message_(std::move(message)) {}

  // An Error from errno, e.g. Error::from_errno("open '/x'") -> "open '/x': No such file or directory".
  static Error from_errno(std::string_view what, int err = errno);

  Errc code() const { return code_; }
  int sys_errno() const { return sys_errno_; }
  const std::string& message() const { return message_; }
  // What failed, named by the module that failed, for a caller that names it in its own terms:
  // the container setup step ("user", "rlimits"), which the scheduler turns into the service key
  // ("services.web.user"). Empty when the message says it all.
  const std::string& subject() const { return subject_; }
  Error& with_subject(std::string subject) & {
    subject_ = std::move(subject);
    return *this;
  }
  Error with_subject(std::string subject) && { return std::move(with_subject(std::move(subject))); }

  Error& context(std::string_view outer) & {
    // In place: GCC 12 misreports the temporaries of `outer + ": " + message_` (-Warray-bounds).
    message_.insert(0, ": ").insert(0, outer);
    return *this;
  }
  Error context(std::string_view outer) && { return std::move(context(outer)); }

 private:
  Errc code_;
  int sys_errno_;
  std::string message_;
  std::string subject_;
};

// Wraps an Error for construction of a failed Result, as std::unexpected does.
inline Error fail(Errc code, std::string message, int sys_errno = 0) {
  return Error(code, std::move(message), sys_errno);
}

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error& error() & { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& other) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(other));
  }

  Result& context(std::string_view outer) & {
    if (!has_value()) error().context(outer);
    return *this;
  }
  // By value: a reference to a temporary would dangle inside STACK_TRY(f().context(...)).
  Result context(std::string_view outer) && { return std::move(context(outer)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  const Error& error() const& { return err_; }
  Error& error() & { return err_; }
  Error&& error() && { return std::move(err_); }

  Result& context(std::string_view outer) & {
    if (!ok_) err_.context(outer);
    return *this;
  }
  // By value: a reference to a temporary would dangle inside STACK_TRY(f().context(...)).
  Result context(std::string_view outer) && { return std::move(context(outer)); }

 private:
  Error err_{Errc::internal, ""};
  bool ok_ = true;
};

inline Result<void> ok() { return {}; }

// "invalid_argument", "not_found", ...: how an error's kind crosses a process boundary (the shim's
// state.json and control replies). An unknown name reads as io.
const char* errc_name(Errc code);
Errc parse_errc(std::string_view name);

}  // namespace stack::util

#define STACK_CONCAT_INNER(a, b) a##b
#define STACK_CONCAT(a, b) STACK_CONCAT_INNER(a, b)

// Returns the error of a failed Result from the enclosing function.
#define STACK_TRY(expr)                                        \
  do {                                                         \
    auto&& stack_try_result_ = (expr);                         \
    if (!stack_try_result_) return std::move(stack_try_result_).error(); \
  } while (0)

// Declares or assigns lhs from a Result, or returns its error.
#define STACK_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto STACK_CONCAT(stack_res_, __LINE__) = (expr);                        \
  if (!STACK_CONCAT(stack_res_, __LINE__))                                 \
    return std::move(STACK_CONCAT(stack_res_, __LINE__)).error();          \
  lhs = std::move(STACK_CONCAT(stack_res_, __LINE__)).value()
