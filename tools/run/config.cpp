// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing atcp-run's environment switches.  No exceptions and nothing from
 * libstdc++: this is linked into every process atcp-run starts.
 */
#include "config.h"

#include <cstdio>
#include <cstring>

namespace atcp_run {

namespace {

bool unset(const char* value)
{
    return value == nullptr || *value == '\0';
}

// A port number, 1 to 65535, as decimal digits only: [s, end).
bool parse_port(const char* s, const char* end, unsigned& port)
{
    if (s == end || end - s > 5)
        return false;
    unsigned v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + unsigned(*s - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    port = v;
    return true;
}

} // namespace

bool parse_trace(const char* value, Config& config, char* err, size_t n)
{
    if (unset(value) || std::strcmp(value, "0") == 0) {
        config.trace = false;
        return true;
    }
    if (std::strcmp(value, "1") == 0) {
        config.trace = true;
        return true;
    }
    std::snprintf(err, n, "ATCP_RUN_TRACE=%s: expected 0 or 1", value);
    return false;
}

bool parse_only(const char* value, Config& config, char* err, size_t n)
{
    if (unset(value) || std::strcmp(value, "all") == 0)
        config.only = Role::all;
    else if (std::strcmp(value, "listen") == 0)
        config.only = Role::listen;
    else if (std::strcmp(value, "connect") == 0)
        config.only = Role::connect;
    else {
        std::snprintf(err, n, "ATCP_RUN_ONLY=%s: expected listen, connect or all", value);
        return false;
    }
    return true;
}

// A comma-separated list of ports and ranges: "80,8080,9000-9010".
bool parse_ports(const char* value, Config& config, char* err, size_t n)
{
    std::memset(config.ports, 0, sizeof(config.ports));
    config.any_port = true;
    if (unset(value))
        return true;
    for (const char* s = value;;) {
        const char* end = std::strchr(s, ',');
        if (end == nullptr)
            end = s + std::strlen(s);
        const char* dash = static_cast<const char*>(std::memchr(s, '-', size_t(end - s)));
        unsigned lo = 0, hi = 0;
        bool ok = dash == nullptr ? parse_port(s, end, lo) && parse_port(s, end, hi)
                                  : parse_port(s, dash, lo) && parse_port(dash + 1, end, hi);
        if (s == end) {
            std::snprintf(err, n, "ATCP_RUN_PORTS=%s: an empty entry", value);
            return false;
        }
        if (!ok || lo > hi) {
            const char* why =
                !ok ? "expected a port (1-65535) or a range LOW-HIGH" : "the range runs backwards";
            std::snprintf(err, n, "ATCP_RUN_PORTS=%s: '%.*s': %s", value, int(end - s), s, why);
            return false;
        }
        for (unsigned p = lo; p <= hi; p++)
            config.ports[p / 64] |= uint64_t(1) << (p % 64);
        if (*end == '\0')
            break;
        s = end + 1;
    }
    config.any_port = false;
    return true;
}

bool parse_config(const char* trace, const char* only, const char* ports, Config& config, char* err,
                  size_t n)
{
    return parse_trace(trace, config, err, n) && parse_only(only, config, err, n) &&
           parse_ports(ports, config, err, n);
}

} // namespace atcp_run
