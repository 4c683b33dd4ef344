// spec::Node: the stack file as a plain tree with source positions. yaml-cpp stops at the reader;
// everything after it (interpolation, merging, normalisation) works on Nodes, so every diagnostic
// can name file:line:col.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stack::spec {

struct Mark {
  std::shared_ptr<const std::string> file;  // shared by every node of one file
  int line = 0;                             // 1-based; 0 when unknown
  int column = 0;                           // 1-based

  std::string file_name() const { return file ? *file : std::string("<input>"); }
};

class Node {
 public:
  enum class Kind { null, scalar, sequence, mapping };

  // Declared here, defaulted after the class: clang with libstdc++ otherwise instantiates
  // std::pair<Node, Node> (for `entries`) while Node is still incomplete and fails to compile.
  Node();
  Node(const Node&);
  Node(Node&&) noexcept;
  Node& operator=(const Node&);
  Node& operator=(Node&&) noexcept;
  ~Node();

  Kind kind = Kind::null;
  std::string scalar;  // text of a scalar (also of a null written as "~" or "null")
  bool quoted = false; // the scalar was written in quotes: never a number, bool or null
  Mark mark;
  std::vector<Node> items;                       // sequence
  std::vector<std::pair<Node, Node>> entries;    // mapping, in file order; keys are scalars

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }

  // The value under key in a mapping, or nullptr.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // The key node itself (for its position), or nullptr.
  const Node* find_key(std::string_view key) const;

  // Builders, for the loader and for tests.
  static Node make_scalar(std::string text, Mark mark = {}, bool quoted = false);
  static Node make_sequence(Mark mark = {});
  static Node make_mapping(Mark mark = {});
  // Sets key to value in a mapping, replacing an existing entry in place.
  void set(std::string key, Node value);
};

inline Node::Node() = default;
inline Node::Node(const Node&) = default;
inline Node::Node(Node&&) noexcept = default;
inline Node& Node::operator=(const Node&) = default;
inline Node& Node::operator=(Node&&) noexcept = default;
inline Node::~Node() = default;

// A human name for a node's kind ("a mapping", "a list", "a string", "null"), for type errors.
std::string_view kind_name(const Node& node);

}  // namespace stack::spec
