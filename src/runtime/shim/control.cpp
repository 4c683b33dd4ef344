#include "runtime/shim/control.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace stack::runtime::shim {

using nlohmann::json;
using util::Errc;
using util::Error;
using util::UniqueFd;

std::string encode_request(const ControlRequest& r) {
  json j;
  switch (r.op) {
    case ControlOp::stop:
      j["op"] = "stop";
      if (r.timeout) j["timeout_ms"] = r.timeout->count();
      break;
    case ControlOp::kill:
      j = {{"op", "kill"}, {"signal", r.signal}};
      break;
    case ControlOp::status:
      j["op"] = "status";
      break;
  }
  return j.dump() + "\n";
}

util::Result<ControlRequest> parse_request(const std::string& line) {
  ControlRequest r;
  // nlohmann throws; the exception stays inside this function.
  try {
    json j = json::parse(line);
    std::string op = j.at("op").get<std::string>();
    if (op == "stop") {
      r.op = ControlOp::stop;
      if (j.contains("timeout_ms")) r.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<long>());
    } else if (op == "kill") {
      r.op = ControlOp::kill;
      r.signal = j.at("signal").get<int>();
      if (r.signal <= 0 || r.signal >= 65) return Error(Errc::invalid_argument, "no such signal");
    } else if (op == "status") {
      r.op = ControlOp::status;
    } else {
      return Error(Errc::invalid_argument, "unknown request '" + op + "'");
    }
  } catch (const json::exception& e) {
    return Error(Errc::parse, std::string("bad request: ") + e.what());
  }
  return r;
}

std::string encode_reply(const util::Result<void>& result, const std::string& state_json) {
  if (!result) {
    json reply = {{"ok", false}, {"error", result.error().message()}, {"code", util::errc_name(result.error().code())}};
    if (!result.error().subject().empty()) reply["subject"] = result.error().subject();
    return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  }
  std::string out = "{\"ok\":true";
  if (!state_json.empty()) {
    // The state is already JSON: splice it in rather than parse it again.
    std::string compact = state_json;
    while (!compact.empty() && compact.back() == '\n') compact.pop_back();
    out += ",\"state\":" + compact;
  }
  return out + "}\n";
}

namespace {

util::Result<sockaddr_un> socket_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return Error(Errc::invalid_argument, "socket path '" + path + "' is too long");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

util::Result<std::string> read_line(int fd, int timeout_ms) {
  std::string reply;
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    STACK_ASSIGN_OR_RETURN(bool ready, util::wait_readable(fd, timeout_ms));
    if (!ready) return Error(Errc::timeout, "no answer from the shim");
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read from shim");
    if (n == 0) return Error(Errc::io, "the shim closed the connection");
    reply.append(buf, static_cast<std::size_t>(n));
  }
  return reply.substr(0, reply.find('\n'));
}

}  // namespace

util::Result<UniqueFd> listen_control(const std::string& path) {
  STACK_ASSIGN_OR_RETURN(sockaddr_un addr, socket_address(path));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return Error::from_errno("socket");
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Error::from_errno("bind '" + path + "'");
  }
  ::chmod(path.c_str(), 0600);
  if (::listen(fd.get(), 8) != 0) return Error::from_errno("listen '" + path + "'");
  return fd;
}

util::Result<std::string> call_shim(const std::string& path, const ControlRequest& request,
                                    int timeout_ms) {
  STACK_ASSIGN_OR_RETURN(sockaddr_un addr, socket_address(path));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno("socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (err == ECONNREFUSED || err == ENOENT) {
      return Error(Errc::not_found, "no shim listens on '" + path + "'", err);
    }
    return Error::from_errno("connect '" + path + "'", err);
  }
  STACK_TRY(util::send_all(fd.get(), encode_request(request)));
  STACK_ASSIGN_OR_RETURN(std::string line, read_line(fd.get(), timeout_ms));
  try {
    json j = json::parse(line);
    if (!j.value("ok", false)) {
      return Error(util::parse_errc(j.value("code", "conflict")), j.value("error", std::string("refused")))
          .with_subject(j.value("subject", std::string()));
    }
    return j.contains("state") ? j.at("state").dump() : std::string();
  } catch (const json::exception& e) {
    return Error(Errc::parse, std::string("bad reply from the shim: ") + e.what());
  }
}

}  // namespace stack::runtime::shim
