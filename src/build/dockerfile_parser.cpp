// Dockerfile syntax: physical lines into logical ones (directives, comments, continuations,
// heredocs), then each logical line into an Instruction (keyword, flags, arguments, exec form).
#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "build/dockerfile.hpp"

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

struct KindName {
  const char* name;
  Kind kind;
};

constexpr KindName kKinds[] = {
    {"FROM", Kind::from},       {"RUN", Kind::run},           {"CMD", Kind::cmd},
    {"ENTRYPOINT", Kind::entrypoint}, {"ENV", Kind::env},     {"ARG", Kind::arg},
    {"COPY", Kind::copy},       {"ADD", Kind::add},           {"WORKDIR", Kind::workdir},
    {"USER", Kind::user},       {"EXPOSE", Kind::expose},     {"VOLUME", Kind::volume},
    {"LABEL", Kind::label},     {"HEALTHCHECK", Kind::healthcheck}, {"SHELL", Kind::shell},
    {"STOPSIGNAL", Kind::stopsignal}, {"ONBUILD", Kind::onbuild}, {"MAINTAINER", Kind::maintainer},
};

// The flags each instruction takes; anything else is an error.
const std::set<std::string>& allowed_flags(Kind kind) {
  static const std::set<std::string> none;
  static const std::set<std::string> from{"platform"};
  static const std::set<std::string> run{"mount", "network", "security"};
  static const std::set<std::string> copy{"from", "chown", "chmod", "link", "parents", "exclude"};
  static const std::set<std::string> add{"chown", "chmod", "link", "checksum", "keep-git-dir", "exclude"};
  static const std::set<std::string> health{"interval", "timeout", "start-period", "start-interval", "retries"};
  switch (kind) {
    case Kind::from: return from;
    case Kind::run: return run;
    case Kind::copy: return copy;
    case Kind::add: return add;
    case Kind::healthcheck: return health;
    default: return none;
  }
}

bool exec_form_allowed(Kind kind) {
  return kind == Kind::run || kind == Kind::cmd || kind == Kind::entrypoint || kind == Kind::shell ||
         kind == Kind::copy || kind == Kind::add || kind == Kind::volume;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_comment(std::string_view line) {
  size_t p = line.find_first_not_of(" \t");
  return p != std::string_view::npos && line[p] == '#';
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

class Parser {
 public:
  Parser(const std::string& text, const std::string& path) : path_(path) {
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(std::move(line));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }

  Result<Dockerfile> parse() {
    Dockerfile df;
    df.path = path_;
    STACK_TRY(directives(df));
    escape_ = df.escape;
    while (next_ < lines_.size()) {
      if (is_blank(lines_[next_]) || is_comment(lines_[next_])) {
        ++next_;
        continue;
      }
      STACK_ASSIGN_OR_RETURN(Instruction ins, logical_line());
      STACK_TRY(place(df, std::move(ins)));
    }
    if (df.stages.empty()) return fail(Errc::parse, path_ + ": no FROM instruction: nothing to build");
    return df;
  }

 private:
  util::Error error(int line, int col, const std::string& what) const {
    return fail(Errc::parse, path_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
  }

  // "# key=value" lines at the very top; the first other line ends them.
  Result<void> directives(Dockerfile& df) {
    std::set<std::string> seen;
    for (; next_ < lines_.size(); ++next_) {
      const std::string& l = lines_[next_];
      if (!is_comment(l)) break;
      std::string body = trim(std::string_view(l).substr(l.find('#') + 1));
      size_t eq = body.find('=');
      if (eq == std::string::npos) break;
      std::string key = lower(trim(body.substr(0, eq)));
      std::string value = trim(body.substr(eq + 1));
      if (key.empty() || !std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) break;
      if (!seen.insert(key).second) return error(static_cast<int>(next_) + 1, 1, "directive '" + key + "' given twice");
      if (key == "escape") {
        if (value != "\\" && value != "`") {
          return error(static_cast<int>(next_) + 1, 1, "invalid escape character '" + value + "': use '\\' or '`'");
        }
        df.escape = value[0];
      } else if (key == "syntax") {
        df.syntax = value;
      }
    }
    return util::ok();
  }

  // One instruction: continuation lines joined, comment lines inside skipped, heredocs read.
  Result<Instruction> logical_line() {
    Instruction ins;
    ins.line = static_cast<int>(next_) + 1;
    ins.column = static_cast<int>(lines_[next_].find_first_not_of(" \t")) + 1;
    std::string joined;
    bool first = true;
    while (next_ < lines_.size()) {
      std::string l = lines_[next_++];
      if (!first && (is_comment(l) || is_blank(l))) continue;
      first = false;
      size_t end = l.find_last_not_of(" \t");
      if (end != std::string::npos && l[end] == escape_) {
        joined += l.substr(0, end);
        continue;
      }
      joined += l;
      break;
    }
    ins.original = trim(joined);
    size_t ws = ins.original.find_first_of(" \t");
    std::string keyword = upper(ins.original.substr(0, ws));
    std::string rest = ws == std::string::npos ? "" : trim(ins.original.substr(ws));
    auto kind = std::find_if(std::begin(kKinds), std::end(kKinds), [&](const KindName& k) { return keyword == k.name; });
    if (kind == std::end(kKinds)) return error(ins.line, ins.column, "unknown instruction: " + keyword);
    ins.kind = kind->kind;
    STACK_TRY(split_flags(ins, rest));
    if (ins.kind == Kind::run || ins.kind == Kind::copy || ins.kind == Kind::add) STACK_TRY(heredocs(ins));
    STACK_TRY(check_arguments(ins));
    return ins;
  }

  Result<void> split_flags(Instruction& ins, std::string rest) {
    int col = ins.column + static_cast<int>(std::string(kind_name(ins.kind)).size()) + 1;
    while (rest.starts_with("--")) {
      size_t end = rest.find_first_of(" \t");
      std::string flag = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
      rest = end == std::string::npos ? "" : trim(rest.substr(end));
      size_t eq = flag.find('=');
      std::string name = lower(flag.substr(0, eq));
      std::string value = eq == std::string::npos ? "true" : flag.substr(eq + 1);
      if (!allowed_flags(ins.kind).count(name)) {
        return error(ins.line, col, "unknown flag --" + name + " for " + kind_name(ins.kind));
      }
      if (name == "mount") {
        ins.mounts.push_back(value);
      } else if (name == "exclude") {
        ins.excludes.push_back(value);
      } else if (!ins.flags.emplace(name, value).second) {
        return error(ins.line, col, "flag --" + name + " given twice");
      }
    }
    ins.args = rest;
    if (exec_form_allowed(ins.kind) && rest.starts_with("[")) {
      auto j = nlohmann::json::parse(rest, nullptr, false);
      if (j.is_array() && std::all_of(j.begin(), j.end(), [](const auto& v) { return v.is_string(); })) {
        ins.exec_form = true;
        for (const auto& v : j) ins.exec.push_back(v.get<std::string>());
      }
    }
    return util::ok();
  }

  // `<<EOF`, `<<-EOF`, `<<"EOF"`: the bodies follow the instruction line, in order.
  Result<void> heredocs(Instruction& ins) {
    if (ins.exec_form) return util::ok();
    const std::string& a = ins.args;
    for (size_t p = a.find("<<"); p != std::string::npos; p = a.find("<<", p + 2)) {
      size_t q = p + 2;
      bool strip_tabs = q < a.size() && a[q] == '-';
      if (strip_tabs) ++q;
      char quote = q < a.size() && (a[q] == '"' || a[q] == '\'') ? a[q] : 0;
      if (quote) ++q;
      size_t b = q;
      while (q < a.size() && (std::isalnum(static_cast<unsigned char>(a[q])) || a[q] == '_')) ++q;
      if (q == b || (quote && (q >= a.size() || a[q] != quote))) continue;
      Heredoc h{a.substr(b, q - b), "", quote == 0};
      bool closed = false;
      while (next_ < lines_.size()) {
        std::string l = lines_[next_++];
        if (strip_tabs) l.erase(0, l.find_first_not_of('\t') == std::string::npos ? l.size() : l.find_first_not_of('\t'));
        if (l == h.marker) {
          closed = true;
          break;
        }
        h.body += l + "\n";
      }
      if (!closed) return error(ins.line, ins.column, "heredoc '" + h.marker + "' is not terminated");
      ins.heredocs.push_back(std::move(h));
    }
    return util::ok();
  }

  Result<void> check_arguments(Instruction& ins) {
    std::string name = kind_name(ins.kind);
    if (ins.args.empty()) return error(ins.line, ins.column, name + " requires at least one argument");
    if (ins.kind == Kind::shell && !ins.exec_form) {
      return error(ins.line, ins.column, "SHELL requires the arguments as a JSON array");
    }
    if (ins.kind == Kind::onbuild) {
      std::string inner = upper(ins.args.substr(0, ins.args.find_first_of(" \t")));
      if (inner == "ONBUILD" || inner == "FROM" || inner == "MAINTAINER") {
        return error(ins.line, ins.column, inner + " is not allowed as an ONBUILD trigger");
      }
      if (std::none_of(std::begin(kKinds), std::end(kKinds), [&](const KindName& k) { return inner == k.name; })) {
        return error(ins.line, ins.column, "unknown instruction in ONBUILD: " + inner);
      }
      ins.onbuild = ins.args;
    }
    return util::ok();
  }

  Result<void> place(Dockerfile& df, Instruction ins) {
    if (ins.kind == Kind::from) {
      Stage s;
      s.index = static_cast<int>(df.stages.size());
      s.platform = ins.flags.count("platform") ? ins.flags.at("platform") : "";
      std::vector<std::string> words;
      for (size_t p = 0; p < ins.args.size();) {
        size_t b = ins.args.find_first_not_of(" \t", p);
        if (b == std::string::npos) break;
        size_t e = ins.args.find_first_of(" \t", b);
        words.push_back(ins.args.substr(b, e == std::string::npos ? std::string::npos : e - b));
        p = e == std::string::npos ? ins.args.size() : e;
      }
      if (words.size() == 3 && lower(words[1]) == "as") {
        s.name = lower(words[2]);
        bool valid = std::isalpha(static_cast<unsigned char>(s.name[0])) &&
                     std::all_of(s.name.begin(), s.name.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
                     });
        if (!valid) return error(ins.line, ins.column, "invalid stage name '" + words[2] + "'");
        for (const Stage& other : df.stages) {
          if (other.name == s.name) {
            return error(ins.line, ins.column, "duplicate stage name '" + s.name + "' (first at line " +
                                                   std::to_string(other.from.line) + ")");
          }
        }
      } else if (words.size() != 1) {
        return error(ins.line, ins.column, "FROM takes IMAGE [AS NAME]");
      }
      s.base = words[0];
      s.from = std::move(ins);
      df.stages.push_back(std::move(s));
      return util::ok();
    }
    if (df.stages.empty()) {
      if (ins.kind != Kind::arg) {
        return error(ins.line, ins.column, std::string(kind_name(ins.kind)) + " before the first FROM (only ARG may come first)");
      }
      df.meta_args.push_back(std::move(ins));
      return util::ok();
    }
    df.stages.back().body.push_back(std::move(ins));
    return util::ok();
  }

  std::string path_;
  std::vector<std::string> lines_;
  size_t next_ = 0;
  char escape_ = '\\';
};

}  // namespace

const char* kind_name(Kind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

Result<Dockerfile> parse_dockerfile(const std::string& text, const std::string& path) {
  return Parser(text, path).parse();
}

std::string where(const Dockerfile& df, const Instruction& ins) {
  return df.path + ":" + std::to_string(ins.line) + ":" + std::to_string(ins.column);
}

}  // namespace stack::build
