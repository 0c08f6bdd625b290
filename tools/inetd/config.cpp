// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include "services.h"
#include "text.h"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>

#include <cstring>
#include <map>
#include <memory>

namespace atcp_inetd {

using atcp_tools::parse_number;
using atcp_tools::Services;
using atcp_tools::split_lines;
using atcp_tools::split_words;

namespace {

constexpr size_t required_fields = 6;

std::string quoted(std::string_view text)
{
    return "'" + std::string(text) + "'";
}

std::string_view protocol_name(Family family)
{
    return family == Family::inet ? "atcp" : "atcp6";
}

// Field 3.  Decides the address family, which field 1 needs.
std::string parse_protocol(std::string_view field, const Lookups& lookups, ServiceEntry& entry)
{
    if (field == "atcp") {
        entry.listen.family = Family::inet;
        return {};
    }
    if (field == "atcp6") {
        if (!lookups.ipv6_supported)
            return "atcp6: IPv6 is not supported yet";
        entry.listen.family = Family::inet6;
        return {};
    }
    return "unknown protocol " + quoted(field) + ": expected atcp or atcp6";
}

// The ADDRESS of field 1: "*", a dotted quad for atcp, "[v6]" for atcp6.
std::string parse_address(std::string_view text, ServiceEntry& entry)
{
    if (text == "*")
        return {};
    std::string address(text);
    if (entry.listen.family == Family::inet6) {
        if (address.size() < 2 || address.front() != '[' || address.back() != ']')
            return "bad address " + quoted(text) + ": an atcp6 address is written [ADDRESS]";
        address = address.substr(1, address.size() - 2);
        if (inet_pton(AF_INET6, address.c_str(), entry.listen.address.data()) != 1)
            return "bad IPv6 address " + quoted(text);
        return {};
    }
    if (inet_pton(AF_INET, address.c_str(), entry.listen.address.data()) != 1)
        return "bad IPv4 address " + quoted(text);
    return {};
}

// Field 1: [ADDRESS:]SERVICE, SERVICE a port number or a name in the services file.
std::string parse_service(std::string_view field, const Lookups& lookups, ServiceEntry& entry)
{
    entry.service = std::string(field);
    std::string_view name = field;
    auto colon = field.rfind(':');
    if (colon != std::string_view::npos) {
        if (auto error = parse_address(field.substr(0, colon), entry); !error.empty())
            return error;
        name = field.substr(colon + 1);
    }
    if (name.empty())
        return "missing service name or port in " + quoted(field);
    if (name.find_first_not_of("0123456789") == std::string_view::npos) {
        auto port = parse_number(name, 1, 65535);
        if (!port)
            return "port " + std::string(name) + " is out of range 1-65535";
        entry.listen.port = uint16_t(*port);
        return {};
    }
    auto port = lookups.tcp_port ? lookups.tcp_port(name) : std::nullopt;
    if (!port)
        return "unknown service " + quoted(name) + ": not a port number and not a tcp service in " +
               lookups.services_path;
    entry.listen.port = *port;
    return {};
}

// Field 2.
std::string parse_socket_type(std::string_view field)
{
    if (field == "stream")
        return {};
    if (field == "dgram" || field == "raw" || field == "rdm" || field == "seqpacket")
        return "socket type " + quoted(field) + " is not supported: atcp is stream only";
    return "unknown socket type " + quoted(field) + ": expected stream";
}

// Field 4: wait|nowait, then .RATE (connections a minute, as BSD inetd's
// nowait.N) and /MAX (children at once, as FreeBSD's nowait/N), each optional.
std::string parse_wait(std::string_view field, const Defaults& defaults, ServiceEntry& entry)
{
    auto mode_end = field.find_first_of("./");
    std::string_view mode = field.substr(0, mode_end);
    if (mode == "wait")
        entry.wait = true;
    else if (mode == "nowait")
        entry.wait = false;
    else
        return "expected wait or nowait, found " + quoted(field);

    entry.max_per_minute = defaults.max_per_minute;
    entry.max_children = defaults.max_children;
    std::string_view rest = field.substr(mode.size());
    if (!rest.empty() && rest.front() == '.') {
        auto rate_text = rest.substr(1, rest.find('/') - 1);
        auto rate = parse_number(rate_text, 0, 1'000'000);
        if (!rate)
            return "bad connection rate " + quoted(rate_text) + " in " + quoted(field) +
                   ": expected connections a minute, 0 to 1000000 (0: no limit)";
        entry.max_per_minute = unsigned(*rate);
        rest.remove_prefix(1 + rate_text.size());
    }
    if (!rest.empty()) {
        // rest starts with '/' here: the mode and the rate stop only there.
        auto max_text = rest.substr(1);
        if (max_text.find('/') != std::string_view::npos)
            return "per-address limits in " + quoted(field) + " are not supported";
        auto max = parse_number(max_text, 0, 1'000'000);
        if (!max)
            return "bad child limit " + quoted(max_text) + " in " + quoted(field) +
                   ": expected children at once, 0 to 1000000 (0: no limit)";
        entry.max_children = unsigned(*max);
    }
    if (entry.wait && entry.max_children > 1)
        return "a wait service runs one server at a time: " + quoted(field) + " asks for " +
               std::to_string(entry.max_children);
    return {};
}

// Field 5: USER[:GROUP].
std::string parse_user(std::string_view field, const Lookups& lookups, ServiceEntry& entry)
{
    auto colon = field.find(':');
    entry.user = std::string(field.substr(0, colon));
    if (colon != std::string_view::npos) {
        entry.group = std::string(field.substr(colon + 1));
        if (entry.group.empty())
            return "missing group after ':' in " + quoted(field);
    }
    if (entry.user.empty())
        return "missing user in " + quoted(field);
    auto user = lookups.user ? lookups.user(entry.user) : std::nullopt;
    if (!user)
        return "unknown user " + quoted(entry.user);
    // A second name for uid 0 (toor) must not grant root by accident.
    if (user->uid == 0 && entry.user != "root")
        return "user " + quoted(entry.user) + " has uid 0: only a line that says root runs as root";
    entry.uid = user->uid;
    entry.gid = user->gid;
    if (!entry.group.empty()) {
        auto gid = lookups.group ? lookups.group(entry.group) : std::nullopt;
        if (!gid)
            return "unknown group " + quoted(entry.group);
        entry.gid = *gid;
    }
    return {};
}

// The SERVICE part of field 1, when it is a name: an internal service's default.
std::string_view service_name(std::string_view service)
{
    auto colon = service.rfind(':');
    return colon == std::string_view::npos ? service : service.substr(colon + 1);
}

// Fields 6 on: SERVER [ARGS...].  An internal service is named by its one
// argument, or by the service field (so "echo ... internal" works as in
// every inetd, and "7007 ... internal echo" on a port of one's choosing).
std::string parse_server(const std::vector<std::string_view>& fields, ServiceEntry& entry)
{
    entry.server = std::string(fields[5]);
    std::vector<std::string> args(fields.begin() + 6, fields.end());
    if (entry.server == "internal") {
        if (args.size() > 1)
            return "internal takes one argument, the service's name; found " +
                   std::to_string(args.size());
        std::string_view name = args.empty() ? service_name(entry.service) : args.front();
        entry.internal = internal_by_name(name);
        if (!entry.internal) {
            if (args.empty() && parse_number(name, 0, 65535))
                return "internal on port " + std::string(name) +
                       " needs the service's name as its argument, e.g. 'internal echo'";
            return "no internal service " + quoted(name) + " (there are " + internal_names() + ")";
        }
        if (entry.wait)
            return "internal services run nowait";
        return {};
    }
    if (entry.server.empty() || entry.server.front() != '/')
        return "server " + quoted(entry.server) + " is neither an absolute path nor internal";
    if (args.empty())
        args.push_back(entry.server.substr(entry.server.rfind('/') + 1));
    entry.argv = std::move(args);
    return {};
}

std::string parse_line(const std::vector<std::string_view>& fields, const Lookups& lookups,
                       const Defaults& defaults, ServiceEntry& entry)
{
    if (fields.size() < required_fields)
        return "expected at least 6 fields (service, socket type, protocol, wait/nowait, user, "
               "server), found " +
               std::to_string(fields.size());
    // Field 1 is read after field 3, whose family it needs.
    if (auto error = parse_socket_type(fields[1]); !error.empty())
        return error;
    if (auto error = parse_protocol(fields[2], lookups, entry); !error.empty())
        return error;
    if (auto error = parse_service(fields[0], lookups, entry); !error.empty())
        return error;
    if (auto error = parse_wait(fields[3], defaults, entry); !error.empty())
        return error;
    if (auto error = parse_user(fields[4], lookups, entry); !error.empty())
        return error;
    return parse_server(fields, entry);
}

} // namespace

std::string ServiceEntry::label() const
{
    return service + "/" + std::string(protocol_name(listen.family));
}

bool ServiceEntry::same_service(const ServiceEntry& other) const
{
    return service == other.service && listen == other.listen && wait == other.wait &&
           max_per_minute == other.max_per_minute && max_children == other.max_children &&
           user == other.user && group == other.group && uid == other.uid && gid == other.gid &&
           server == other.server && argv == other.argv && internal == other.internal;
}

ParseResult parse_config(std::string_view text, const std::string& file, const Lookups& lookups,
                         const Defaults& defaults)
{
    ParseResult result;
    std::map<ListenKey, int> line_of_key;
    int number = 0;
    for (std::string_view line : split_lines(text)) {
        ++number;
        auto fields = split_words(line);
        if (fields.empty() || fields.front().front() == '#')
            continue;
        ServiceEntry entry;
        entry.file = file;
        entry.line = number;
        std::string error = parse_line(fields, lookups, defaults, entry);
        if (error.empty()) {
            auto [it, inserted] = line_of_key.emplace(entry.listen, number);
            if (!inserted)
                error = "port " + std::to_string(entry.listen.port) + " over " +
                        std::string(protocol_name(entry.listen.family)) +
                        " is already served by line " + std::to_string(it->second);
        }
        if (!error.empty()) {
            result.diagnostics.push_back({file, number, std::move(error)});
            continue;
        }
        result.services.push_back(std::move(entry));
    }
    return result;
}

Lookups system_lookups(const std::string& services_path, bool ipv6_supported)
{
    auto services = std::make_shared<Services>(Services::load(services_path));
    Lookups lookups;
    lookups.tcp_port = [services](std::string_view name) { return services->port(name); };
    lookups.user = [](const std::string& name) -> std::optional<UserInfo> {
        const passwd* pw = getpwnam(name.c_str());
        if (pw == nullptr)
            return std::nullopt;
        return UserInfo{pw->pw_uid, pw->pw_gid};
    };
    lookups.group = [](const std::string& name) -> std::optional<gid_t> {
        const group* gr = getgrnam(name.c_str());
        if (gr == nullptr)
            return std::nullopt;
        return gr->gr_gid;
    };
    lookups.ipv6_supported = ipv6_supported;
    lookups.services_path = services_path;
    return lookups;
}

} // namespace atcp_inetd
