// `stack-dns`: a network's embedded DNS server as its own small executable, linked statically
// against the net and util modules only, so that what each network costs is the server's own
// resident memory and not the pages of the whole `stack` binary and its libraries
// (docs/performance.md, "DNS server"). net::dns::ensure_dns_server starts it when it sits next to
// `stack`; otherwise it runs `stack dns-server`, which does the same. It takes the same arguments,
// so that both look alike in /proc/<pid>/cmdline (stop_dns_server checks it):
//   stack-dns --root ROOT dns-server --network NAME --listen IP [--port N] [--forward]
//             [--upstream IP[:PORT]]... [--ready-fd N]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/dns/dns_server.hpp"

namespace {

// The line goes to stderr and, when the caller waits on it, to the ready descriptor.
int usage(int ready_fd, const std::string& why) {
  const std::string line = "dns-server: " + why + "\n";
  if (ready_fd >= 0 && ::write(ready_fd, line.data(), line.size()) < 0) {}
  std::fputs(line.c_str(), stderr);
  return 2;
}

bool parse_number(const char* text, long low, long high, long& out) {
  char* end = nullptr;
  out = std::strtol(text, &end, 10);
  return *text != '\0' && *end == '\0' && out >= low && out <= high;
}

}  // namespace

int main(int argc, char** argv) {
  stack::net::dns::DnsServerOptions options;
  std::string listen;
  int ready_fd = -1;
  // The ready descriptor first, so that every later error reaches the caller waiting on it.
  for (int i = 1; i + 1 < argc; ++i) {
    long fd = 0;
    if (std::string_view(argv[i]) == "--ready-fd" && parse_number(argv[i + 1], 0, 1 << 20, fd)) ready_fd = static_cast<int>(fd);
  }
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "dns-server") continue;
    if (arg == "--forward") {
      options.forward = true;
      continue;
    }
    if (i + 1 >= argc) return usage(ready_fd, "missing value for " + std::string(arg));
    const char* value = argv[++i];
    long number = 0;
    if (arg == "--root") {
      options.root = value;
    } else if (arg == "--network") {
      options.network = value;
    } else if (arg == "--listen") {
      listen = value;
    } else if (arg == "--port") {
      if (!parse_number(value, 1, 65535, number)) return usage(ready_fd, "--port " + std::string(value) + ": expected 1..65535");
      options.port = static_cast<std::uint16_t>(number);
    } else if (arg == "--upstream") {
      auto upstream = stack::net::dns::parse_upstream(value);
      if (!upstream) return usage(ready_fd, upstream.error().message());
      options.upstreams.push_back(*upstream);
      options.forward = true;
    } else if (arg != "--ready-fd") {
      return usage(ready_fd, "unknown argument " + std::string(arg));
    }
  }
  if (options.root.empty() || options.network.empty() || listen.empty()) {
    return usage(ready_fd, "--root, --network and --listen are required");
  }
  auto address = stack::util::Ipv4::parse(listen);
  if (!address) return usage(ready_fd, address.error().message());
  options.listen = *address;
  return stack::net::dns::run_dns_server(options, ready_fd);
}
