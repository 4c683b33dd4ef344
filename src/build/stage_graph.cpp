#include "build/stage_graph.hpp"

#include <algorithm>
#include <cctype>

#include "build/run_mount.hpp"
#include "image/manifest.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<void> resolve_meta_args(const Dockerfile& df, const Vars& build_args, StagePlan& plan) {
  plan.meta_args = platform_args();
  for (const Instruction& ins : df.meta_args) {
    for (const std::string& word : split_raw(ins.args, df.escape)) {
      size_t eq = word.find('=');
      std::string name = word.substr(0, eq);
      std::string value;
      if (auto it = build_args.find(name); it != build_args.end()) {
        value = it->second;
        plan.consumed_args.insert(name);
      } else if (eq != std::string::npos) {
        auto v = expand_word(word.substr(eq + 1), plan.meta_args, df.escape);
        if (!v) return std::move(v).error().context(where(df, ins));
        value = *v;
      } else {
        continue;  // declared without a value: stays undefined
      }
      plan.meta_args[name] = value;
    }
  }
  return util::ok();
}

// A named context: a directory's by name, an image's as that image.
Source context_source(const std::string& name, const NamedContext& c) {
  if (c.type == NamedContext::Type::image) return Source{Source::Type::image, -1, c.value};
  return Source{Source::Type::context, -1, name};
}

// A named context, a name, an index, or an image reference.
Result<Source> resolve_source(const Dockerfile& df, const Instruction& ins, const std::string& text,
                              int before, bool is_from, const NamedContexts& contexts) {
  std::string name = lower(text);
  // As BuildKit: the name as written first (an image's name), then as a stage's name.
  if (auto c = contexts.find(text); c != contexts.end()) return context_source(text, c->second);
  if (auto c = contexts.find(name); c != contexts.end()) return context_source(name, c->second);
  if (is_from && name == "scratch") return Source{Source::Type::scratch, -1, ""};
  for (const Stage& s : df.stages) {
    if (!s.name.empty() && s.name == name) {
      if (s.index >= before) {
        return fail(Errc::invalid_argument, where(df, ins) + ": '" + text + "' refers to stage " +
                                                std::to_string(s.index) + ", defined at or after this one");
      }
      return Source{Source::Type::stage, s.index, ""};
    }
  }
  if (!is_from && !name.empty() && name.size() <= 6 && std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int index = std::stoi(name);
    if (index >= before) {
      return fail(Errc::invalid_argument, where(df, ins) + ": --from=" + text + " refers to stage " +
                                              std::to_string(index) + ", defined at or after this one");
    }
    return Source{Source::Type::stage, index, ""};
  }
  return Source{Source::Type::image, -1, text};
}

Result<void> check_platform(const Dockerfile& df, const Stage& s, const Vars& meta) {
  if (s.platform.empty()) return util::ok();
  auto p = expand_word(s.platform, meta, df.escape);
  if (!p) return std::move(p).error().context(where(df, s.from));
  image::Platform host = image::host_platform();
  if (*p != host.os + "/" + host.architecture) {
    return fail(Errc::unsupported, where(df, s.from) + ": --platform=" + *p + ": only " + host.os + "/" +
                                       host.architecture + " is built here");
  }
  return util::ok();
}

}  // namespace

Vars platform_args() {
  image::Platform p = image::host_platform();
  std::string platform = p.os + "/" + p.architecture;
  return {{"TARGETPLATFORM", platform}, {"TARGETOS", p.os},   {"TARGETARCH", p.architecture},
          {"TARGETVARIANT", ""},        {"BUILDPLATFORM", platform}, {"BUILDOS", p.os},
          {"BUILDARCH", p.architecture}, {"BUILDVARIANT", ""}};
}

Result<StagePlan> plan_stages(const Dockerfile& df, const std::string& target, const Vars& build_args,
                              const NamedContexts& contexts) {
  StagePlan plan;
  STACK_TRY(resolve_meta_args(df, build_args, plan));
  int target_index = static_cast<int>(df.stages.size()) - 1;
  if (!target.empty()) {
    auto it = std::find_if(df.stages.begin(), df.stages.end(), [&](const Stage& s) { return s.name == lower(target); });
    if (it == df.stages.end()) return fail(Errc::not_found, "target stage '" + target + "' not found in " + df.path);
    target_index = it->index;
  }
  // Every stage's edges first (errors in unneeded stages are errors too, as docker reports them).
  std::map<int, std::vector<int>> deps;
  for (const Stage& s : df.stages) {
    STACK_TRY(check_platform(df, s, plan.meta_args));
    auto base_text = expand_word(s.base, plan.meta_args, df.escape);
    if (!base_text) return std::move(base_text).error().context(where(df, s.from));
    if (base_text->empty()) return fail(Errc::invalid_argument, where(df, s.from) + ": FROM names no image (an empty ARG?)");
    STACK_ASSIGN_OR_RETURN(Source base, resolve_source(df, s.from, *base_text, s.index, true, contexts));
    if (base.type == Source::Type::stage) deps[s.index].push_back(base.stage);
    plan.base[s.index] = base;
    for (size_t i = 0; i < s.body.size(); ++i) {
      const Instruction& ins = s.body[i];
      auto source_of = [&](const std::string& from, const char* what) -> Result<Source> {
        auto text = expand_word(from, plan.meta_args, df.escape);
        if (!text) return std::move(text).error().context(where(df, ins));
        if (text->empty()) return fail(Errc::invalid_argument, where(df, ins) + ": " + what + " is empty");
        STACK_ASSIGN_OR_RETURN(Source src, resolve_source(df, ins, *text, s.index, false, contexts));
        if (src.type == Source::Type::stage) deps[s.index].push_back(src.stage);
        return src;
      };
      if (auto from = ins.flags.find("from"); ins.kind == Kind::copy && from != ins.flags.end()) {
        STACK_ASSIGN_OR_RETURN(Source src, source_of(from->second, "COPY --from"));
        plan.copy_from[{s.index, i}] = src;
      }
      for (size_t m = 0; ins.kind == Kind::run && m < ins.mounts.size(); ++m) {
        auto mount = parse_run_mount(ins.mounts[m]);
        if (!mount) return fail(mount.error().code(), where(df, ins) + ": RUN " + mount.error().message());
        if (mount->from.empty()) continue;
        STACK_ASSIGN_OR_RETURN(Source src, source_of(mount->from, "RUN --mount from="));
        plan.mount_from[{s.index, i, m}] = src;
      }
    }
  }
  std::set<int> needed;
  std::vector<int> todo{target_index};
  while (!todo.empty()) {
    int s = todo.back();
    todo.pop_back();
    if (!needed.insert(s).second) continue;
    for (int d : deps[s]) todo.push_back(d);
  }
  plan.order.assign(needed.begin(), needed.end());  // sorted: dependencies are always earlier
  return plan;
}

}  // namespace stack::build
