// SPDX-License-Identifier: GPL-2.0
/*
 * The switches atcp-run hands to libatcp-preload.so through the environment,
 * and their parser: kept apart from the interposers so that host tests can
 * drive it without a preloaded process or the module.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace atcp_run {

// Which sockets become atcp (ATCP_RUN_ONLY).
enum class Role { all, listen, connect };

struct Config {
    bool trace = false;              // ATCP_RUN_TRACE=1: a line on stderr per changed socket
    Role only = Role::all;           // ATCP_RUN_ONLY
    bool any_port = true;            // no ATCP_RUN_PORTS
    uint64_t ports[65536 / 64] = {}; // ATCP_RUN_PORTS as a bitmap

    bool has_port(unsigned port) const
    {
        return any_port || (port < 65536 && (ports[port / 64] >> (port % 64) & 1) != 0);
    }
    // With a filter the choice waits for bind, listen or connect.
    bool filtered() const { return only != Role::all || !any_port; }
};

// Each parser takes the variable's value (null or empty when unset) and
// returns true, or false with a one-line message in err (never longer than n).
bool parse_trace(const char* value, Config& config, char* err, size_t n);
bool parse_only(const char* value, Config& config, char* err, size_t n);
bool parse_ports(const char* value, Config& config, char* err, size_t n);

// All three: the first error wins.
bool parse_config(const char* trace, const char* only, const char* ports, Config& config, char* err,
                  size_t n);

} // namespace atcp_run
