// Host ports for published ports, tested by binding them: the kernel is the only authority on
// whether a port is free (another program, another stack, a TIME_WAIT socket with SO_REUSEADDR).
#pragma once

#include <cstdint>
#include <string>

#include "spec/model.hpp"
#include "util/result.hpp"

namespace stack::scheduler {

// The first free port of the port's host range, or one the kernel picks when none is given.
// A conflict error "port 127.0.0.1:8080/tcp is already in use" when none is free.
util::Result<uint16_t> pick_host_port(const spec::Port& port, const std::string& host_ip);

// Whether host_ip:port/protocol can be bound now; the same conflict error if not.
util::Result<void> check_port_free(const std::string& host_ip, uint16_t port, const std::string& protocol);

}  // namespace stack::scheduler
