// Kubernetes' name rules (apimachinery's validation: DNS-1123 labels and subdomains, DNS-1035
// labels for Services, label keys and values, IANA service names for ports, ConfigMap keys, env
// names) and the conversion of stack names into valid ones.
#pragma once

#include <string>
#include <string_view>

namespace stack::kube {

inline constexpr size_t kMaxLabel = 63;

bool is_dns1123_label(std::string_view name);      // [a-z0-9]([-a-z0-9]*[a-z0-9])?, <= 63
bool is_dns1035_label(std::string_view name);      // the same, starting with a letter
bool is_dns1123_subdomain(std::string_view name);  // dot-separated labels, <= 253
bool is_label_value(std::string_view value);       // "" or [A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?, <= 63
bool is_qualified_name(std::string_view key);      // [prefix/]name: label and annotation keys
bool is_port_name(std::string_view name);          // IANA_SVC_NAME: <= 15, a-z0-9 and '-', a letter
bool is_config_key(std::string_view key);          // ConfigMap and Secret keys: [-._a-zA-Z0-9]+
bool is_env_name(std::string_view name);           // [-._a-zA-Z][-._a-zA-Z0-9]*

// Lower case; every character outside [a-z0-9] becomes '-'; no '-' at either end; at most `max`
// characters. "" when nothing is left.
std::string to_dns_label(std::string_view text, size_t max = kMaxLabel);

// A label value from any text: characters outside [-_.A-Za-z0-9] become '-', trimmed to
// alphanumerics at both ends, at most 63.
std::string to_label_value(std::string_view text);

}  // namespace stack::kube
