// The control channel between the Runtime and a shim: a unix stream socket at <root>/run/<id>.sock,
// one request per connection, one JSON object per line each way:
//   {"op":"stop","timeout_ms":10000}  -> {"ok":true}        (the shim then stops and exits)
//   {"op":"kill","signal":1}          -> {"ok":true}
//   {"op":"status"}                   -> {"ok":true,"state":{...state.json...}}
// A socket rather than signals: a request carries arguments (the stop timeout), gets an answer
// (an error such as "no such signal"), and a refused connection tells the caller the shim is gone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "util/fd.hpp"

namespace stack::runtime::shim {

enum class ControlOp { stop, kill, status };

struct ControlRequest {
  ControlOp op = ControlOp::status;
  std::optional<std::chrono::milliseconds> timeout;  // stop: the grace period; default: config's
  int signal = 0;                                    // kill
  bool operator==(const ControlRequest&) const = default;
};

std::string encode_request(const ControlRequest& request);
util::Result<ControlRequest> parse_request(const std::string& line);

// {"ok":true} (with "state" when given: an encoded state.json), or {"ok":false,"error":...}.
std::string encode_reply(const util::Result<void>& result, const std::string& state_json = "");

// Listens on path (a stale socket file is replaced). Non-blocking, close-on-exec, mode 0600.
util::Result<util::UniqueFd> listen_control(const std::string& path);

// Connects, sends the request and returns the reply's "state" text (or "" without one); a reply
// with "ok":false becomes its error. ECONNREFUSED and ENOENT come back as Errc::not_found.
util::Result<std::string> call_shim(const std::string& path, const ControlRequest& request,
                                    int timeout_ms = 10'000);

}  // namespace stack::runtime::shim
