// SPDX-License-Identifier: GPL-2.0
/*
 * inetd.conf, parsed.  One service a line, fields separated by blanks:
 *
 *   [ADDR:]SERVICE stream atcp|atcp6 wait|nowait[.RATE][/MAX] USER[:GROUP] SERVER [ARGS...]
 *
 * The parser is pure: the outside world (services file, user and group
 * databases, whether atcp has IPv6) comes in through Lookups, so the tests
 * can describe any system.  A bad line becomes a diagnostic naming
 * file:line and is skipped; the good lines are returned in file order.
 */
#pragma once

#include "internal.h"

#include <netinet/in.h>
#include <sys/types.h>

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atcp_inetd {

enum class Family { inet, inet6 }; // the "atcp" and "atcp6" protocols

struct UserInfo {
    uid_t uid;
    gid_t gid; // the user's primary group
};

// What a line may refer to, as the system knows it.
struct Lookups {
    std::function<std::optional<uint16_t>(std::string_view name)> tcp_port;
    std::function<std::optional<UserInfo>(const std::string& name)> user;
    std::function<std::optional<gid_t>(const std::string& name)> group;
    // Whether socket(atcp, ...) takes a sockaddr_in6: atcp6 lines fail otherwise.
    bool ipv6_supported = false;
    std::string services_path; // for messages about unknown names
};

// The limits a line gets when it does not set its own (atcp-inetd -R, -c).
struct Defaults {
    unsigned max_per_minute = 256; // BSD inetd's TOOMANY; 0 is no limit
    unsigned max_children = 0;     // 0 is no limit
};

// Where a service listens: the identity a reload keeps sockets by.
struct ListenKey {
    Family family = Family::inet;
    std::array<uint8_t, 16> address{}; // network order; 4 bytes used for inet; zero is any
    uint16_t port = 0;

    auto operator<=>(const ListenKey&) const = default;
};

struct ServiceEntry {
    std::string file;
    int line = 0;

    std::string service; // the first field as written, e.g. "echo" or "127.0.0.1:7007"
    ListenKey listen;
    bool wait = false;
    unsigned max_per_minute = 0; // 0: no limit
    unsigned max_children = 0;   // 0: no limit (a wait service has one child at most)
    std::string user;
    std::string group; // empty: the user's primary group
    uid_t uid = 0;
    gid_t gid = 0;
    std::string server;            // an absolute path, or "internal"
    std::vector<std::string> argv; // argv[0] first; empty for internal services
    std::optional<Internal> internal;

    // "echo/atcp", for log lines.
    std::string label() const;
    // Everything a line says, but not where it stands in the file.
    bool same_service(const ServiceEntry& other) const;
};

struct Diagnostic {
    std::string file;
    int line;
    std::string message;

    std::string text() const { return file + ":" + std::to_string(line) + ": " + message; }
};

struct ParseResult {
    std::vector<ServiceEntry> services;
    std::vector<Diagnostic> diagnostics;
};

ParseResult parse_config(std::string_view text, const std::string& file, const Lookups& lookups,
                         const Defaults& defaults = {});

// The system's own: services from services_path, users and groups through NSS.
Lookups system_lookups(const std::string& services_path, bool ipv6_supported);

} // namespace atcp_inetd
