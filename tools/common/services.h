// SPDX-License-Identifier: GPL-2.0
/*
 * TCP service names from a services(5) file, read by us rather than
 * getservbyport(3) so that the file is a parameter (tests use a fixture)
 * and a lookup costs a hash probe, not a file scan per socket.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atcp_tools {

constexpr const char* default_services_path = "/etc/services";

class Services {
  public:
    // An unreadable file gives an empty table: every port prints as a number.
    static Services load(const std::string& path = default_services_path);
    static Services parse(std::string_view text);

    // The first name the file gives the port for tcp, as getservbyport does.
    std::optional<std::string_view> name(uint16_t port) const;
    // A service name or alias for tcp -> its port; the first line naming it
    // wins, as in getservbyname(3).
    std::optional<uint16_t> port(std::string_view name) const;

  private:
    std::unordered_map<uint16_t, std::string> by_port_;
    std::unordered_map<std::string, uint16_t> by_name_;
};

// A port given on a command line: a number from 1 to 65535 or a service name.
std::optional<uint16_t> parse_port(std::string_view text, const Services& services);

} // namespace atcp_tools
