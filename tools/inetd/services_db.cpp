// SPDX-License-Identifier: GPL-2.0
#include "services_db.h"

#include "text.h"

#include <fstream>
#include <sstream>

namespace atcp_inetd {

ServicesDb ServicesDb::load(const std::string& path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str());
}

// Each line: NAME PORT/PROTOCOL [ALIAS...] [# comment].
ServicesDb ServicesDb::parse(std::string_view text)
{
    ServicesDb db;
    for (std::string_view line : split_lines(text)) {
        line = line.substr(0, line.find('#'));
        auto fields = split_fields(line);
        if (fields.size() < 2)
            continue;
        auto slash = fields[1].find('/');
        if (slash == std::string_view::npos || fields[1].substr(slash + 1) != "tcp")
            continue;
        auto port = parse_number(fields[1].substr(0, slash), 1, 65535);
        if (!port)
            continue;
        for (size_t i = 0; i < fields.size(); ++i) {
            if (i == 1)
                continue;
            // The first line naming a service wins, as in getservbyname(3).
            db.tcp_ports_.emplace(std::string(fields[i]), uint16_t(*port));
        }
    }
    return db;
}

std::optional<uint16_t> ServicesDb::tcp_port(std::string_view name) const
{
    auto it = tcp_ports_.find(std::string(name));
    if (it == tcp_ports_.end())
        return std::nullopt;
    return it->second;
}

} // namespace atcp_inetd
