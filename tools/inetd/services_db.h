// SPDX-License-Identifier: GPL-2.0
/*
 * TCP service names from a services(5) file.  We read the file ourselves
 * rather than call getservbyname(3) so that its path is a parameter: the
 * tests use a fixture, and -s points the daemon at another file.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace atcp_inetd {

constexpr const char* default_services_path = "/etc/services";

class ServicesDb {
  public:
    // An unreadable file gives an empty table, so only numbers resolve.
    static ServicesDb load(const std::string& path);
    static ServicesDb parse(std::string_view text);

    // A name or alias listed for tcp (atcp speaks TCP on the wire) -> port.
    std::optional<uint16_t> tcp_port(std::string_view name) const;

  private:
    std::unordered_map<std::string, uint16_t> tcp_ports_;
};

} // namespace atcp_inetd
