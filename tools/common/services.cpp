// SPDX-License-Identifier: GPL-2.0
#include "services.h"

#include "text.h"

namespace atcp_tools {

Services Services::load(const std::string& path)
{
    auto text = read_file(path);
    return text ? parse(*text) : Services{};
}

// Each line: "name port/protocol [aliases...] [# comment]".
Services Services::parse(std::string_view text)
{
    Services s;
    for (std::string_view line : split_lines(text)) {
        line = line.substr(0, line.find('#'));
        auto words = split_words(line);
        if (words.size() < 2)
            continue;
        std::string_view port_proto = words[1];
        size_t slash = port_proto.find('/');
        if (slash == std::string_view::npos || port_proto.substr(slash + 1) != "tcp")
            continue;
        auto port = parse_number(port_proto.substr(0, slash), 1, 65535);
        if (!port)
            continue;
        auto p = static_cast<uint16_t>(*port);
        s.by_port_.try_emplace(p, words[0]);
        for (size_t i = 0; i < words.size(); i++) {
            if (i != 1)
                s.by_name_.try_emplace(std::string(words[i]), p);
        }
    }
    return s;
}

std::optional<std::string_view> Services::name(uint16_t port) const
{
    auto it = by_port_.find(port);
    if (it == by_port_.end())
        return std::nullopt;
    return it->second;
}

std::optional<uint16_t> Services::port(std::string_view name) const
{
    auto it = by_name_.find(std::string(name));
    if (it == by_name_.end())
        return std::nullopt;
    return it->second;
}

std::optional<uint16_t> parse_port(std::string_view text, const Services& services)
{
    if (parse_uint(text)) {
        auto n = parse_number(text, 1, 65535);
        return n ? std::optional<uint16_t>(static_cast<uint16_t>(*n)) : std::nullopt;
    }
    return services.port(text);
}

} // namespace atcp_tools
