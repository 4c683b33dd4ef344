#include "build/shell_lex.hpp"

#include <cctype>
#include <optional>

namespace stack::build {

using util::Errc;
using util::fail;

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Lexer {
 public:
  Lexer(std::string_view text, const Vars& vars, char escape) : s_(text), vars_(vars), esc_(escape) {}

  Result<std::string> heredoc_body() {
    std::string out;
    STACK_TRY(expand_run(out, 0, "$\n"));
    return out;
  }

  Result<std::vector<std::string>> run(bool split) {
    std::vector<std::string> words;
    std::string word;
    bool started = false;
    while (p_ < s_.size()) {
      char c = s_[p_];
      if (split && space(c)) {
        if (started) words.push_back(std::move(word));
        word.clear();
        started = false;
        ++p_;
        continue;
      }
      started = true;
      if (c == esc_) {
        ++p_;
        if (p_ < s_.size()) word += s_[p_++];
        else word += c;
      } else if (c == '\'') {
        size_t end = s_.find('\'', p_ + 1);
        if (end == std::string_view::npos) return fail(Errc::parse, "unterminated single quote");
        word += s_.substr(p_ + 1, end - p_ - 1);
        p_ = end + 1;
      } else if (c == '"') {
        STACK_TRY(double_quoted(word));
      } else if (c == '$') {
        STACK_TRY(dollar(word));
      } else {
        word += c;
        ++p_;
      }
    }
    if (started || !split) words.push_back(std::move(word));
    return words;
  }

 private:
  Result<void> double_quoted(std::string& word) {
    ++p_;
    STACK_TRY(expand_run(word, '"', "\"$"));
    if (p_ >= s_.size()) return fail(Errc::parse, "unterminated double quote");
    ++p_;
    return util::ok();
  }

  // Up to `stop` (a closing quote; 0: the end of the text): only `$` expands, and the escape
  // character escapes itself and what `escapable` holds (an escaped newline joins two lines).
  Result<void> expand_run(std::string& word, char stop, std::string_view escapable) {
    while (p_ < s_.size() && (stop == 0 || s_[p_] != stop)) {
      char c = s_[p_];
      if (c == esc_ && p_ + 1 < s_.size() && (s_[p_ + 1] == esc_ || escapable.find(s_[p_ + 1]) != std::string_view::npos)) {
        if (s_[p_ + 1] != '\n') word += s_[p_ + 1];
        p_ += 2;
      } else if (c == '$') {
        STACK_TRY(dollar(word));
      } else {
        word += c;
        ++p_;
      }
    }
    return util::ok();
  }

  std::optional<std::string> lookup(const std::string& name) const {
    auto it = vars_.find(name);
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  }

  Result<void> dollar(std::string& word) {
    ++p_;
    if (p_ < s_.size() && name_start(s_[p_])) {
      size_t b = p_;
      while (p_ < s_.size() && name_char(s_[p_])) ++p_;
      word += lookup(std::string(s_.substr(b, p_ - b))).value_or("");
      return util::ok();
    }
    if (p_ >= s_.size() || s_[p_] != '{') {
      word += '$';
      return util::ok();
    }
    ++p_;
    size_t b = p_;
    while (p_ < s_.size() && name_char(s_[p_])) ++p_;
    std::string name(s_.substr(b, p_ - b));
    if (name.empty()) return fail(Errc::parse, "bad substitution: empty variable name in '${'");
    if (p_ < s_.size() && s_[p_] == '}') {
      ++p_;
      word += lookup(name).value_or("");
      return util::ok();
    }
    bool colon = p_ < s_.size() && s_[p_] == ':';
    if (colon) ++p_;
    char op = p_ < s_.size() ? s_[p_] : 0;
    if (op != '-' && op != '+' && op != '?') {
      return fail(Errc::parse, "bad substitution: unsupported modifier in '${" + name + "'");
    }
    ++p_;
    // The operand: up to the matching '}', itself expanded.
    size_t start = p_;
    int depth = 1;
    while (p_ < s_.size() && depth > 0) {
      if (s_[p_] == '{') ++depth;
      if (s_[p_] == '}') --depth;
      if (depth > 0) ++p_;
    }
    if (p_ >= s_.size()) return fail(Errc::parse, "bad substitution: missing '}' after '${" + name + "'");
    std::string_view operand_text = s_.substr(start, p_ - start);
    ++p_;
    STACK_ASSIGN_OR_RETURN(std::string operand, expand_word(operand_text, vars_, esc_));
    auto value = lookup(name);
    bool set = value && (!colon || !value->empty());
    if (op == '-') word += set ? *value : operand;
    if (op == '+') word += set ? operand : "";
    if (op == '?') {
      if (!set) return fail(Errc::invalid_argument, name + ": " + (operand.empty() ? "is not set" : operand));
      word += *value;
    }
    return util::ok();
  }

  std::string_view s_;
  const Vars& vars_;
  char esc_;
  size_t p_ = 0;
};

}  // namespace

Result<std::vector<std::string>> expand_words(std::string_view text, const Vars& vars, char escape) {
  return Lexer(text, vars, escape).run(true);
}

Result<std::string> expand_word(std::string_view text, const Vars& vars, char escape) {
  STACK_ASSIGN_OR_RETURN(auto words, Lexer(text, vars, escape).run(false));
  return words.empty() ? std::string() : words[0];
}

Result<std::string> expand_heredoc(std::string_view text, const Vars& vars, char escape) {
  return Lexer(text, vars, escape).heredoc_body();
}

std::vector<std::string> split_raw(std::string_view text, char escape) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!quote && space(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    word += c;
    if (c == escape && i + 1 < text.size()) {
      word += text[++i];
    } else if (quote && c == quote) {
      quote = 0;
    } else if (!quote && (c == '"' || c == '\'')) {
      quote = c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace stack::build
