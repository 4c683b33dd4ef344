#include "spec/dotenv.hpp"

#include <cstring>
#include <memory>

#include "spec/interpolate.hpp"
#include "util/fd.hpp"

namespace stack::spec {

namespace {

// compose-go's isSpace: blanks that are not a line break.
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// compose-go accepts letters, digits and "_.-[]" in names; bytes >= 0x80 stand in for its
// unicode.IsLetter so that UTF-8 names are not refused.
bool is_key_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || u >= 0x80;
}

struct Value {
  std::string text;
  bool ok = true;
};

class DotenvParser {
 public:
  DotenvParser(std::string_view text, const std::string& file, const Environment& lookup,
               Diagnostics& diags)
      : text_(text), file_(std::make_shared<const std::string>(file)), lookup_(lookup),
        diags_(diags), scope_(lookup) {}

  Environment parse() {
    while (skip_to_statement()) {
      if (!statement()) skip_line();
    }
    return std::move(out_);
  }

 private:
  // Positions of diagnostics only grow while parsing, so the line count resumes from the last
  // one instead of rescanning the file for every error.
  Mark mark_at(size_t pos) {
    if (pos < scanned_) {
      scanned_ = 0;
      line_ = 1;
      line_start_ = 0;
    }
    for (; scanned_ < pos && scanned_ < text_.size(); ++scanned_) {
      if (text_[scanned_] == '\n') {
        ++line_;
        line_start_ = scanned_ + 1;
      }
    }
    return Mark{file_, line_, static_cast<int>(pos - line_start_) + 1};
  }

  void error(size_t pos, std::string message) {
    diags_.error(mark_at(pos), "", std::move(message));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_blanks() {
    while (!at_end() && is_blank(text_[pos_])) ++pos_;
  }
  void skip_line() {
    size_t nl = text_.find('\n', pos_);
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  }

  // Skips blank lines and comment lines; false at the end of the text.
  bool skip_to_statement() {
    while (!at_end()) {
      char c = text_[pos_];
      if (is_blank(c) || c == '\n') {
        ++pos_;
      } else if (c == '#') {
        skip_line();
      } else {
        return true;
      }
    }
    return false;
  }

  // One "[export] KEY[=VALUE]" statement; false after a diagnostic, to skip the rest of the line.
  bool statement() {
    if (text_.substr(pos_, 6) == "export" && pos_ + 6 < text_.size() &&
        is_blank(text_[pos_ + 6])) {
      pos_ += 6;
      skip_blanks();
    }
    size_t key_begin = pos_;
    while (!at_end() && is_key_char(text_[pos_])) ++pos_;
    std::string key(text_.substr(key_begin, pos_ - key_begin));
    size_t after_key = pos_;
    skip_blanks();
    char c = peek();
    bool comment = c == '#' && pos_ > after_key;  // "KEY # note", but not "KEY#x"
    if (at_end() || c == '\n' || comment) return inherit(key, key_begin, after_key);
    if (c != '=' && c != ':') {
      if (key.empty() || is_key_char(c)) {
        error(pos_, key.empty() ? "unexpected character '" + std::string(1, c) +
                                      "' in variable name"
                                : "variable name '" + key + "' cannot contain a space");
      } else {
        error(pos_, "unexpected character '" + std::string(1, c) + "' in variable name '" +
                        key + "'");
      }
      return false;
    }
    if (key.empty()) {
      error(key_begin, "missing variable name before '" + std::string(1, c) + "'");
      return false;
    }
    ++pos_;
    skip_blanks();
    Value value = read_value(key);
    if (!value.ok) return false;
    store(key, std::move(value.text));
    return true;
  }

  // "KEY" alone takes its value from the environment, as compose does; absent there, it is unset.
  bool inherit(const std::string& key, size_t key_begin, size_t after_key) {
    if (key.empty()) {
      error(key_begin, "missing variable name");
      return false;
    }
    pos_ = after_key;
    if (auto it = lookup_.find(key); it != lookup_.end()) store(key, it->second);
    skip_line();  // the rest is blanks or a comment
    return true;
  }

  // compose-go drops names that start with a digit instead of failing the whole file.
  void store(const std::string& key, std::string value) {
    if (key[0] >= '0' && key[0] <= '9') return;
    if (!lookup_.count(key)) scope_[key] = value;
    out_[key] = std::move(value);
  }

  Value read_value(const std::string& key) {
    char c = peek();
    if (c == '\'') return read_single_quoted();
    if (c == '"') return read_double_quoted(key);
    size_t nl = text_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl;
    std::string_view raw = text_.substr(pos_, end - pos_);
    // An inline comment needs a blank before '#' so that "a#b" stays a value, as in compose.
    for (size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == '#' && is_blank(raw[i - 1])) {
        raw = raw.substr(0, i);
        break;
      }
    }
    while (!raw.empty() && is_blank(raw.back())) raw.remove_suffix(1);
    size_t value_pos = pos_;
    pos_ = end;
    return expand(raw, value_pos, key);
  }

  Value read_single_quoted() {
    size_t open = pos_;
    size_t close = text_.find('\'', open + 1);
    if (close == std::string_view::npos) return unterminated(open);
    pos_ = close + 1;
    if (!finish_quoted_line()) return Value{"", false};
    return Value{std::string(text_.substr(open + 1, close - open - 1))};
  }

  // Turns escapes into their characters; "\$" becomes "$$" so interpolation keeps one '$'.
  Value read_double_quoted(const std::string& key) {
    size_t open = pos_;
    std::string tmpl;
    size_t i = open + 1;
    for (; i < text_.size() && text_[i] != '"'; ++i) {
      if (text_[i] != '\\' || i + 1 >= text_.size()) {
        tmpl.push_back(text_[i]);
        continue;
      }
      char e = text_[++i];
      switch (e) {
        case 'n': tmpl.push_back('\n'); break;
        case 't': tmpl.push_back('\t'); break;
        case 'r': tmpl.push_back('\r'); break;
        case '$': tmpl.append("$$"); break;
        default: tmpl.push_back(e); break;  // \" \\ and any other: the character itself
      }
    }
    if (i >= text_.size()) return unterminated(open);
    pos_ = i + 1;
    if (!finish_quoted_line()) return Value{"", false};
    return expand(tmpl, open, key);
  }

  Value unterminated(size_t open) {
    error(open, "unterminated quoted value");
    pos_ = text_.size();  // the quote swallowed the rest of the file: nothing left to parse
    return Value{"", false};
  }

  // After a closing quote only blanks and a comment may follow on the line.
  bool finish_quoted_line() {
    skip_blanks();
    if (at_end() || peek() == '\n' || peek() == '#') {
      skip_line();
      return true;
    }
    error(pos_, "unexpected text after the closing quote");
    return false;
  }

  // ${VAR} resolves from the caller's environment first, then from earlier keys of this file,
  // the order compose-go's ExpandVariables uses.
  Value expand(std::string_view tmpl, size_t pos, const std::string& key) {
    if (tmpl.find('$') == std::string_view::npos) return Value{std::string(tmpl)};
    std::string why;
    auto value = interpolate_string(tmpl, scope_, &why);
    if (!value) {
      error(pos, "variable '" + key + "': " + why);
      return Value{"", false};
    }
    return Value{std::move(*value)};
  }

  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  const Environment& lookup_;
  Diagnostics& diags_;
  Environment out_;
  Environment scope_;  // what ${VAR} sees: lookup_, then this file's earlier keys
  size_t pos_ = 0;
  size_t scanned_ = 0;  // mark_at's resume point
  int line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

Environment parse_dotenv(std::string_view text, const std::string& file, const Environment& lookup,
                         Diagnostics& diags) {
  // Some editors write a UTF-8 byte order mark; compose skips it and so do we.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return DotenvParser(text, file, lookup, diags).parse();
}

std::optional<Environment> read_dotenv_file(const std::string& path, const Environment& lookup,
                                            bool required, Diagnostics& diags) {
  // read(2), not a stream: an env_file naming a directory must be an error, not an exception.
  auto text = util::read_file(path);
  if (!text) {
    int err = text.error().sys_errno();
    if (!required && err == ENOENT) return Environment{};
    Mark where{std::make_shared<const std::string>(path), 0, 0};
    diags.error(where, "", std::string("cannot read env file: ") + std::strerror(err != 0 ? err : EIO));
    return std::nullopt;
  }
  size_t before = diags.size();
  Environment env = parse_dotenv(*text, path, lookup, diags);
  if (diags.size() != before) return std::nullopt;
  return env;
}

std::optional<Environment> read_named_dotenv_file(const std::string& path, const Environment& lookup,
                                                  bool required, const Node& at,
                                                  const std::string& key_path, Diagnostics& diags) {
  Diagnostics own;
  auto values = read_dotenv_file(path, lookup, required, own);
  for (const Diagnostic& e : own.list()) {
    if (e.mark.line == 0)  // "cannot read env file: <why>"
      diags.error(at, key_path, "env file '" + path + "': " + e.message.substr(e.message.find(':') + 2));
    else
      diags.error(e.mark, e.path, e.message);
  }
  return values;
}

}  // namespace stack::spec
