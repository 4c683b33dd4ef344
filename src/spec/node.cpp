#include "spec/node.hpp"

namespace stack::spec {

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.scalar == key) return &v;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (auto& [k, v] : entries)
    if (k.scalar == key) return &v;
  return nullptr;
}

const Node* Node::find_key(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.scalar == key) return &k;
  return nullptr;
}

Node Node::make_scalar(std::string text, Mark mark, bool quoted) {
  Node n;
  n.kind = Kind::scalar;
  n.scalar = std::move(text);
  n.mark = std::move(mark);
  n.quoted = quoted;
  return n;
}

Node Node::make_sequence(Mark mark) {
  Node n;
  n.kind = Kind::sequence;
  n.mark = std::move(mark);
  return n;
}

Node Node::make_mapping(Mark mark) {
  Node n;
  n.kind = Kind::mapping;
  n.mark = std::move(mark);
  return n;
}

void Node::set(std::string key, Node value) {
  for (auto& [k, v] : entries) {
    if (k.scalar == key) {
      v = std::move(value);
      return;
    }
  }
  Mark m = value.mark;
  entries.emplace_back(make_scalar(std::move(key), std::move(m)), std::move(value));
}

std::string_view kind_name(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null: return "null";
    case Node::Kind::scalar: return "a scalar";
    case Node::Kind::sequence: return "a list";
    case Node::Kind::mapping: return "a mapping";
  }
  return "?";
}

}  // namespace stack::spec
