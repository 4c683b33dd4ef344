#include "net/nftables.hpp"

// glibc's <netinet/in.h> before the kernel's headers, which then leave its definitions alone.
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <nftables/libnftables.h>
#include <sys/mman.h>

#include <memory>
#include <mutex>
#include <optional>

#include "net/nl/socket.hpp"
#include "util/fd.hpp"
#include "util/shared_library.hpp"

namespace stack::net::nft {

using util::Errc;
using util::Result;

namespace {

// The few libnftables entry points stack uses, resolved once per process.
struct Api {
  util::SharedLibrary library;
  decltype(&nft_ctx_new) ctx_new = nullptr;
  decltype(&nft_ctx_free) ctx_free = nullptr;
  decltype(&nft_ctx_buffer_output) buffer_output = nullptr;
  decltype(&nft_ctx_buffer_error) buffer_error = nullptr;
  decltype(&nft_ctx_get_output_buffer) output_buffer = nullptr;
  decltype(&nft_ctx_get_error_buffer) error_buffer = nullptr;
  decltype(&nft_run_cmd_from_filename) run_from_file = nullptr;
};

Result<Api> load() {
  Api api;
  STACK_ASSIGN_OR_RETURN(api.library, util::SharedLibrary::open("libnftables.so.1", "libnftables1"));
  const util::SharedLibrary& lib = api.library;
  STACK_TRY(lib.bind("nft_ctx_new", api.ctx_new));
  STACK_TRY(lib.bind("nft_ctx_free", api.ctx_free));
  STACK_TRY(lib.bind("nft_ctx_buffer_output", api.buffer_output));
  STACK_TRY(lib.bind("nft_ctx_buffer_error", api.buffer_error));
  STACK_TRY(lib.bind("nft_ctx_get_output_buffer", api.output_buffer));
  STACK_TRY(lib.bind("nft_ctx_get_error_buffer", api.error_buffer));
  STACK_TRY(lib.bind("nft_run_cmd_from_filename", api.run_from_file));
  return api;
}

// One run at a time per process: libnftables does not promise that contexts may be used from
// several threads at once, and `up` applies its tables one by one anyway.
std::mutex g_mutex;
std::optional<Api> g_api;

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string string_of(const char* text) { return text != nullptr ? text : ""; }

}  // namespace

std::string error_line(const std::string& buffer) {
  // "Error: <what>\n<the command>\n<carets>\n", possibly with a location before "Error: ".
  const auto at = buffer.find("Error: ");
  if (at == std::string::npos) return trimmed(buffer).empty() ? "command failed" : trimmed(buffer.substr(0, buffer.find('\n')));
  const auto end = buffer.find('\n', at);
  std::string line = trimmed(buffer.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7));
  if (end != std::string::npos) {
    const auto next = buffer.find('\n', end + 1);
    std::string command = trimmed(buffer.substr(end + 1, next == std::string::npos ? std::string::npos : next - end - 1));
    if (!command.empty()) line += " ('" + command + "')";
  }
  return line;
}

Result<std::string> run(const std::string& commands) {
  std::lock_guard lock(g_mutex);
  if (!g_api) {
    STACK_ASSIGN_OR_RETURN(Api api, load());
    g_api = std::move(api);
  }
  const Api& api = *g_api;
  std::unique_ptr<nft_ctx, decltype(api.ctx_free)> ctx(api.ctx_new(NFT_CTX_DEFAULT), api.ctx_free);
  if (!ctx) return util::fail(Errc::io, "nftables: cannot create a context", ENOMEM);
  if (api.buffer_output(ctx.get()) != 0 || api.buffer_error(ctx.get()) != 0)
    return util::fail(Errc::io, "nftables: cannot buffer output", ENOMEM);
  // From a memfd rather than nft_run_cmd_from_buffer: for a buffer, libnftables 1.0.6 quotes the
  // first line in its error whichever command failed; for a file it quotes the right one.
  util::UniqueFd script(::memfd_create("stack-nft", MFD_CLOEXEC));
  if (!script) return util::Error::from_errno("nftables: memfd_create");
  STACK_TRY(util::write_all(script.get(), commands));
  const std::string path = "/proc/self/fd/" + std::to_string(script.get());
  if (api.run_from_file(ctx.get(), path.c_str()) != 0)
    return util::fail(Errc::io, "nftables: " + error_line(string_of(api.error_buffer(ctx.get()))));
  return string_of(api.output_buffer(ctx.get()));
}

namespace {

// nft keeps a table's comment in its user data as type-length-value records; type 0 is the
// comment (libnftnl's NFTNL_UDATA_TABLE_COMMENT), a NUL-terminated string.
std::string comment_of(const unsigned char* data, size_t size) {
  for (size_t at = 0; at + 2 <= size;) {
    const unsigned type = data[at], length = data[at + 1];
    if (at + 2 + length > size) break;
    if (type == 0) {
      std::string text(reinterpret_cast<const char*>(data + at + 2), length);
      while (!text.empty() && text.back() == '\0') text.pop_back();
      return text;
    }
    at += 2 + length;
  }
  return {};
}

int on_table(nl_msg* msg, void* arg) {
  auto* tables = static_cast<std::vector<Table>*>(arg);
  nlmsghdr* header = nlmsg_hdr(msg);
  if (header->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE)) return NL_SKIP;
  nlattr* attrs[NFTA_TABLE_MAX + 1];
  if (nlmsg_parse(header, sizeof(nfgenmsg), attrs, NFTA_TABLE_MAX, nullptr) < 0 || !attrs[NFTA_TABLE_NAME])
    return NL_SKIP;
  Table table;
  table.name = nla_get_string(attrs[NFTA_TABLE_NAME]);
  if (nlattr* user = attrs[NFTA_TABLE_USERDATA]) {
    table.comment = comment_of(static_cast<const unsigned char*>(nla_data(user)), static_cast<size_t>(nla_len(user)));
  }
  tables->push_back(std::move(table));
  return NL_OK;
}

Result<std::vector<Table>> dump_tables(std::uint8_t family) {
  nl::SockPtr sock(nl_socket_alloc());
  if (!sock) return util::fail(Errc::io, "netlink: cannot allocate socket", ENOMEM);
  if (const int err = nl_connect(sock.get(), NETLINK_NETFILTER); err < 0) return nl::error(err);
  std::vector<Table> tables;
  nl_socket_modify_cb(sock.get(), NL_CB_VALID, NL_CB_CUSTOM, on_table, &tables);
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(
        nlmsg_alloc_simple((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_DUMP), &nlmsg_free);
    if (!msg) return util::fail(Errc::io, "netlink: cannot allocate message", ENOMEM);
    nfgenmsg request{};
    request.nfgen_family = family;
    request.version = NFNETLINK_V0;
    if (const int err = nlmsg_append(msg.get(), &request, sizeof request, NLMSG_ALIGNTO); err < 0)
      return nl::error(err);
    tables.clear();
    if (const int err = nl_send_auto(sock.get(), msg.get()); err < 0) return nl::error(err);
    const int err = nl_recvmsgs_default(sock.get());
    // A dump that a concurrent change interrupted is asked again.
    if (err == -NLE_DUMP_INTR && attempt < 5) continue;
    if (err < 0) return nl::error(err);
    for (Table& t : tables) t.family = family == NFPROTO_INET ? "inet" : "ip";
    return tables;
  }
}

}  // namespace

Result<std::vector<Table>> list_tables() {
  // ip for IPv4 networks, inet for those with IPv6 (one table for both families).
  STACK_ASSIGN_OR_RETURN(std::vector<Table> tables, dump_tables(NFPROTO_IPV4).context("listing nftables tables"));
  STACK_ASSIGN_OR_RETURN(std::vector<Table> inet, dump_tables(NFPROTO_INET).context("listing nftables tables"));
  tables.insert(tables.end(), std::make_move_iterator(inet.begin()), std::make_move_iterator(inet.end()));
  return tables;
}

}  // namespace stack::net::nft
