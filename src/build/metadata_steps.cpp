#include "build/metadata_steps.hpp"

#include <cctype>

#include "build/glob.hpp"
#include "util/duration.hpp"

namespace stack::build {

using nlohmann::json;
using util::Errc;
using util::fail;

namespace {

struct Ctx {
  const Dockerfile& df;
  const Instruction& ins;
  StageState& s;
  ArgScope args;

  util::Error error(const std::string& what) const { return util::Error(Errc::invalid_argument, where(df, ins) + ": " + what); }
  template <class T>
  Result<T> at(Result<T> r) const {
    if (!r) return std::move(r).error().context(where(df, ins));
    return r;
  }
};

// KEY=VALUE pairs (ENV, LABEL), or the legacy "ENV KEY VALUE..." form.
Result<std::vector<std::pair<std::string, std::string>>> pairs(const Ctx& c) {
  std::vector<std::pair<std::string, std::string>> out;
  Vars vars = expansion_vars(c.s);
  std::vector<std::string> words = split_raw(c.ins.args, c.df.escape);
  if (!words.empty() && words[0].find('=') == std::string::npos) {
    if (c.ins.kind != Kind::env || words.size() < 2) return c.error(std::string(kind_name(c.ins.kind)) + " needs KEY=VALUE");
    std::string rest = c.ins.args.substr(c.ins.args.find(words[0]) + words[0].size());
    STACK_ASSIGN_OR_RETURN(std::string value, c.at(expand_word(rest.substr(rest.find_first_not_of(" \t")), vars, c.df.escape)));
    out.emplace_back(words[0], value);
    return out;
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos) return c.error("'" + w + "' is not KEY=VALUE");
    STACK_ASSIGN_OR_RETURN(std::string key, c.at(expand_word(w.substr(0, eq), vars, c.df.escape)));
    STACK_ASSIGN_OR_RETURN(std::string value, c.at(expand_word(w.substr(eq + 1), vars, c.df.escape)));
    if (key.empty()) return c.error("empty key in '" + w + "'");
    out.emplace_back(key, value);
  }
  return out;
}

Result<std::string> arg(Ctx& c) {
  std::string done;
  for (const std::string& w : split_raw(c.ins.args, c.df.escape)) {
    size_t eq = w.find('=');
    std::string name = w.substr(0, eq);
    std::optional<std::string> value;
    if (auto it = c.args.build_args.find(name); it != c.args.build_args.end()) {
      value = it->second;
      c.args.consumed.insert(name);
    } else if (eq != std::string::npos) {
      STACK_ASSIGN_OR_RETURN(value, c.at(expand_word(w.substr(eq + 1), expansion_vars(c.s), c.df.escape)));
    } else if (auto m = c.args.meta_args.find(name); m != c.args.meta_args.end()) {
      value = m->second;
    }
    if (value) c.s.args[name] = *value;
    done += (done.empty() ? "" : " ") + name + (value ? "=" + *value : "");
  }
  return "ARG " + done;
}

Result<std::vector<std::string>> words(const Ctx& c) {
  if (c.ins.exec_form) return c.ins.exec;
  return c.at(expand_words(c.ins.args, expansion_vars(c.s), c.df.escape));
}

Result<std::string> expose(const Ctx& c) {
  STACK_ASSIGN_OR_RETURN(auto ports, words(c));
  json& section = run_section(c.s)["ExposedPorts"];
  if (!section.is_object()) section = json::object();
  for (const std::string& p : ports) {
    std::string port = p.substr(0, p.find('/'));
    std::string proto = p.find('/') == std::string::npos ? "tcp" : p.substr(p.find('/') + 1);
    for (char& ch : proto) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    size_t dash = port.find('-');
    auto number = [](const std::string& t) {
      return !t.empty() && t.size() <= 5 && t.find_first_not_of("0123456789") == std::string::npos && std::stoi(t) <= 65535;
    };
    std::string lo = port.substr(0, dash), hi = dash == std::string::npos ? lo : port.substr(dash + 1);
    if (!number(lo) || !number(hi) || std::stoi(lo) > std::stoi(hi) || (proto != "tcp" && proto != "udp" && proto != "sctp")) {
      return c.error("invalid port '" + p + "'");
    }
    for (int n = std::stoi(lo); n <= std::stoi(hi); ++n) section[std::to_string(n) + "/" + proto] = json::object();
  }
  return "EXPOSE " + json(ports).dump();
}

Result<std::string> healthcheck(const Ctx& c) {
  std::string a = c.ins.args;
  std::string head = a.substr(0, a.find_first_of(" \t"));
  for (char& ch : head) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  json hc = json::object();
  if (head == "NONE") {
    if (a.size() > 4) return c.error("HEALTHCHECK NONE takes no arguments");
    hc["Test"] = {"NONE"};
  } else if (head == "CMD") {
    std::string rest = a.size() > 3 ? a.substr(a.find_first_not_of(" \t", 3)) : "";
    if (rest.empty()) return c.error("HEALTHCHECK CMD needs a command");
    auto j = json::parse(rest, nullptr, false);
    if (j.is_array() && !j.empty() && std::all_of(j.begin(), j.end(), [](const json& v) { return v.is_string(); })) {
      hc["Test"] = json::array({"CMD"});
      for (const auto& v : j) hc["Test"].push_back(v);
    } else {
      hc["Test"] = {"CMD-SHELL", rest};
    }
  } else {
    return c.error("HEALTHCHECK takes CMD or NONE");
  }
  const std::pair<const char*, const char*> durations[] = {
      {"interval", "Interval"}, {"timeout", "Timeout"}, {"start-period", "StartPeriod"}, {"start-interval", "StartInterval"}};
  for (const auto& [flag, key] : durations) {
    auto it = c.ins.flags.find(flag);
    if (it == c.ins.flags.end()) continue;
    auto d = util::parse_duration(it->second);
    if (!d) return c.error("--" + std::string(flag) + ": " + d.error().message());
    hc[key] = d->count();
  }
  if (auto it = c.ins.flags.find("retries"); it != c.ins.flags.end()) {
    if (it->second.empty() || it->second.size() > 6 || it->second.find_first_not_of("0123456789") != std::string::npos) {
      return c.error("--retries='" + it->second + "': expected a number");
    }
    hc["Retries"] = std::stoi(it->second);
  }
  run_section(c.s)["Healthcheck"] = hc;
  return "HEALTHCHECK " + hc.dump();
}

Result<std::string> set_string(const Ctx& c, const char* key) {
  STACK_ASSIGN_OR_RETURN(std::string v, c.at(expand_word(c.ins.args, expansion_vars(c.s), c.df.escape)));
  if (c.ins.kind == Kind::workdir) {
    std::string base = working_dir(c.s);
    v = "/" + clean_path(v.starts_with("/") ? v : base + "/" + v);
  }
  run_section(c.s)[key] = v;
  return std::string(kind_name(c.ins.kind)) + " " + v;
}

}  // namespace

std::vector<std::string> command_argv(const Instruction& ins, const StageState& state) {
  if (ins.exec_form) return ins.exec;
  std::vector<std::string> argv = shell_of(state);
  argv.push_back(ins.args);
  return argv;
}

Result<std::string> apply_metadata(const Dockerfile& df, const Instruction& ins, StageState& s, ArgScope args) {
  Ctx c{df, ins, s, args};
  json& section = run_section(s);
  switch (ins.kind) {
    case Kind::arg: return arg(c);
    case Kind::env:
    case Kind::label: {
      STACK_ASSIGN_OR_RETURN(auto kv, pairs(c));
      json& labels = section["Labels"];
      if (ins.kind == Kind::label && !labels.is_object()) labels = json::object();
      for (const auto& [k, v] : kv) {
        if (ins.kind == Kind::env) set_env(s, k, v);
        else labels[k] = v;
      }
      return std::string(kind_name(ins.kind)) + " " + json(kv).dump();
    }
    case Kind::cmd:
    case Kind::entrypoint: {
      std::vector<std::string> argv = command_argv(ins, s);
      if (ins.kind == Kind::cmd) {
        section["Cmd"] = argv;
        s.cmd_set = true;
      } else {
        section["Entrypoint"] = argv;
        if (!s.cmd_set) section["Cmd"] = nullptr;
      }
      return std::string(kind_name(ins.kind)) + " " + json(argv).dump();
    }
    case Kind::shell:
      section["Shell"] = ins.exec;
      return "SHELL " + json(ins.exec).dump();
    case Kind::expose: return expose(c);
    case Kind::volume: {
      STACK_ASSIGN_OR_RETURN(auto paths, words(c));
      json& volumes = section["Volumes"];
      if (!volumes.is_object()) volumes = json::object();
      for (const auto& p : paths) {
        if (p.empty()) return c.error("VOLUME with an empty path");
        volumes[p] = json::object();
      }
      return "VOLUME " + json(paths).dump();
    }
    case Kind::user: return set_string(c, "User");
    case Kind::workdir: return set_string(c, "WorkingDir");
    case Kind::stopsignal: return set_string(c, "StopSignal");
    case Kind::healthcheck: return healthcheck(c);
    case Kind::onbuild: {
      json& triggers = section["OnBuild"];
      if (!triggers.is_array()) triggers = json::array();
      triggers.push_back(*ins.onbuild);
      return "ONBUILD " + *ins.onbuild;
    }
    case Kind::maintainer:
      s.config["author"] = ins.args;
      return "MAINTAINER " + ins.args;
    default:
      return fail(Errc::internal, where(df, ins) + ": " + kind_name(ins.kind) + " is not a metadata instruction");
  }
}

}  // namespace stack::build
