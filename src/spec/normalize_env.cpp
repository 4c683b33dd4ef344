// environment, env_file, command, entrypoint and working_dir: the keys that decide what the process
// sees.
#include <filesystem>

#include "spec/dotenv.hpp"
#include "spec/field_reader.hpp"
#include "spec/normalize_internal.hpp"

namespace stack::spec {

namespace {

// `KEY` without a value takes the shell's value; a variable unset there is dropped, as compose
// does, rather than set to "" (which would shadow the image's own default).
void set_from_shell(ServiceDraft& d, Environment& env, const std::string& key) {
  auto it = d.ctx->environment.find(key);
  if (it != d.ctx->environment.end()) env[key] = it->second;
}

void environment_from_list(ServiceDraft& d, const Node& v, const std::string& p, Environment& env) {
  for (size_t i = 0; i < v.items.size(); ++i) {
    const Node& item = v.items[i];
    std::string at = index_path(p, i);
    auto s = read_string(item, at, *d.diags);
    if (!s) continue;
    size_t eq = s->find('=');
    if (eq == 0 || s->empty()) {
      d.error(item, at, "\"" + *s + "\" has an empty variable name");
    } else if (eq == std::string::npos) {
      set_from_shell(d, env, *s);
    } else {
      env[s->substr(0, eq)] = s->substr(eq + 1);
    }
  }
}

void environment_from_map(ServiceDraft& d, const Node& v, const std::string& p, Environment& env) {
  for (const auto& [k, val] : v.entries) {
    std::string at = join_path(p, k.scalar);
    if (k.scalar.empty()) {
      d.error(k, p, "empty variable name");
    } else if (val.is_null()) {
      set_from_shell(d, env, k.scalar);
    } else if (val.is_scalar()) {
      env[k.scalar] = val.scalar;  // numbers and booleans keep the text the user wrote
    } else {
      type_error(val, at, "a string, a number, a boolean or null", *d.diags);
    }
  }
}

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(base) / path).lexically_normal().string();
}

void env_file_entry(ServiceDraft& d, const Node& item, const std::string& at, Environment& env) {
  std::string file;
  bool required = true;
  if (item.is_mapping()) {
    static constexpr std::string_view kKeys[] = {"path", "required", "format"};
    check_keys(item, at, kKeys, *d.diags);
    const Node* path = item.find("path");
    if (!path) {
      d.error(item, at, "missing 'path'");
      return;
    }
    auto s = read_string(*path, join_path(at, "path"), *d.diags);
    if (!s) return;
    file = *s;
    if (const Node* r = item.find("required")) {
      auto b = read_bool(*r, join_path(at, "required"), *d.diags);
      if (!b) return;
      required = *b;
    }
    if (const Node* f = item.find("format"); f && !(f->is_scalar() && f->scalar == "raw"))
      d.error(*f, join_path(at, "format"), "not supported yet");
  } else {
    auto s = read_string(item, at, *d.diags);
    if (!s) return;
    file = *s;
  }
  // A file that cannot be read is reported at the line that names it.
  auto parsed = read_named_dotenv_file(resolve(d.ctx->working_dir, file), d.ctx->environment,
                                       required, item, at, *d.diags);
  if (parsed)
    for (auto& [k, val] : *parsed) env[k] = val;  // later files win, as in compose
}

}  // namespace

std::optional<Environment> read_variables(ServiceDraft& d, const Node& v, const std::string& p) {
  Environment env;
  if (v.is_sequence()) {
    environment_from_list(d, v, p, env);
  } else if (v.is_mapping()) {
    environment_from_map(d, v, p, env);
  } else {
    type_error(v, p, "a mapping or a list", *d.diags);
    return std::nullopt;
  }
  return env;
}

void read_environment(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto env = read_variables(d, v, p)) d.environment = std::move(*env);
}

void read_env_file(ServiceDraft& d, const Node& v, const std::string& p) {
  Environment env;
  if (v.is_sequence()) {
    for (size_t i = 0; i < v.items.size(); ++i) env_file_entry(d, v.items[i], index_path(p, i), env);
  } else if (v.is_scalar()) {
    env_file_entry(d, v, p, env);
  } else {
    type_error(v, p, "a string or a list", *d.diags);
    return;
  }
  d.env_file_env = std::move(env);
}

void read_label_file(ServiceDraft& d, const Node& v, const std::string& p) {
  auto files = read_string_list(v, p, *d.diags, true);
  if (!files) return;
  Environment labels;
  for (size_t i = 0; i < files->size(); ++i) {
    const Node& item = v.is_sequence() ? v.items[i] : v;
    std::string at = v.is_sequence() ? index_path(p, i) : p;
    auto parsed = read_named_dotenv_file(resolve(d.ctx->working_dir, (*files)[i]), d.ctx->environment, true, item,
                                         at, *d.diags);
    if (parsed)
      for (auto& [k, val] : *parsed) labels[k] = val;  // later files win
  }
  d.label_file_labels = std::move(labels);
}

void finish_labels(ServiceDraft& d) {
  if (!d.label_file_labels) return;
  for (const auto& [k, val] : *d.label_file_labels) d.service.labels.emplace(k, val);  // labels: wins
}

bool shell_split(std::string_view text, std::vector<std::string>& out) {
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0; else word += c;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < text.size() &&
                 std::string_view("\\\"$`").find(text[i + 1]) != std::string_view::npos) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return false;
  if (in_word) out.push_back(std::move(word));
  return true;
}

std::optional<std::vector<std::string>> read_words(ServiceDraft& d, const Node& v,
                                                   const std::string& p) {
  if (v.is_scalar()) {
    std::vector<std::string> words;
    if (!shell_split(v.scalar, words)) {
      d.error(v, p, "unterminated quote in \"" + v.scalar + "\"");
      return std::nullopt;
    }
    return words;
  }
  if (v.is_sequence()) return read_string_list(v, p, *d.diags);
  type_error(v, p, "a string or a list", *d.diags);
  return std::nullopt;
}

void read_command(ServiceDraft& d, const Node& v, const std::string& p) {
  if (auto words = read_words(d, v, p)) d.service.command = std::move(*words);
}

// docker: "the working directory '...' is invalid, it needs to be an absolute path".
void read_working_dir(ServiceDraft& d, const Node& v, const std::string& p) {
  auto s = read_string(v, p, *d.diags);
  if (s && !s->empty() && s->front() != '/') d.error(v, p, "'" + *s + "' is not an absolute path");
  else if (s) d.service.working_dir = *s;
}

void read_entrypoint(ServiceDraft& d, const Node& v, const std::string& p) {
  // "" and [] both give an empty list: the image's entrypoint is cleared.
  if (auto words = read_words(d, v, p)) d.service.entrypoint = std::move(*words);
}

}  // namespace stack::spec
