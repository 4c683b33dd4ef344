// Shared fixture for the normalize tests: a YAML string through read_yaml and normalize.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "spec/normalize.hpp"
#include "spec/reader.hpp"

namespace stack::spec::testing {

inline NormalizeContext test_context() {
  NormalizeContext ctx;
  ctx.project_name = "demo";
  ctx.working_dir = "/srv/app";
  ctx.environment = {{"HOME", "/home/ann"}};
  return ctx;
}

struct Outcome {
  std::optional<Stack> stack;
  Diagnostics diags;
  std::string errors() const { return diags.format(); }
  const Service& service(std::string_view name = "a") const {
    const Service* s = stack->find_service(name);
    if (!s) throw std::runtime_error("no service " + std::string(name));
    return *s;
  }
};

inline Outcome run(std::string_view yaml, const NormalizeContext& ctx = test_context()) {
  Outcome o;
  auto root = read_yaml(yaml, "stack.yaml", o.diags);
  if (root) o.stack = normalize(*root, ctx, o.diags);
  return o;
}

// One service 'a' with image x and the given extra lines (indented four spaces).
inline Outcome run_service(std::string_view body) {
  return run("services:\n  a:\n    image: x\n" + std::string(body));
}

}  // namespace stack::spec::testing
